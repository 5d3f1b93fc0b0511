import { type AsyncContextManager, resource } from "@asyncwith/core";
import { checkOptions, eitherSignal, expected } from "@asyncwith/core/adapter";
import { _api } from "./_shared.js";

/** How `webLock` requests its lock: those of `navigator.locks.request`. */
export interface WebLockOptions {
  /** `"exclusive"` (default) or `"shared"`. */
  mode?: LockMode;
  /** Do not wait: the block gets `lock: null` when another holder has it. */
  ifAvailable?: boolean;
  /** Take the lock from its holder at once (the holder's `signal` aborts). Exclusive only. */
  steal?: boolean;
  /** Give up waiting: the enter rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** What the block gets: the granted `Lock` (null with `ifAvailable` when taken), and a signal that aborts if it is stolen. */
export interface HeldWebLock {
  readonly lock: Lock | null;
  readonly signal: AbortSignal;
}

/**
 * A Web Lock (`navigator.locks`) held for exactly the block, across tabs and workers of one
 * origin; released on every path. If another context steals it, `signal` aborts and a block that
 * still completes gets an error from the exit: it did not run exclusively.
 *
 * @example
 * await asyncWith(webLock("sync"), async ({ signal }) => {
 *   await upload(await pending(), { signal });
 * });
 */
export function webLock(name: string, options: WebLockOptions = {}): AsyncContextManager<HeldWebLock, false> {
  if (typeof name !== "string" || name.startsWith("-"))
    throw expected("webLock() to be given a lock name (a string not starting with '-')", name);
  checkOptions("webLock()", options, { steal: "boolean", ifAvailable: "boolean" }); // "no" would steal
  let release: () => void = () => {};
  let held: Promise<unknown> = Promise.resolve();
  const stolen = new AbortController(); // stolen, or given up for the back/forward cache
  let cachedAway: DOMException | undefined;
  // A page entering the bfcache keeps running nothing but keeps its locks: give this one up, so a
  // waiting tab is not blocked by a page nobody looks at, and tell the block it lost it.
  const onPageHide = (event: PageTransitionEvent) => {
    if (!event.persisted || stolen.signal.aborted) return; // an unload: the browser releases it anyway
    cachedAway = new DOMException(
      `The lock ${JSON.stringify(name)} was released because the page entered the back/forward cache`,
      "AbortError",
    );
    stolen.abort(cachedAway);
    release();
  };
  return resource(
    (enter) => {
      const locks = _api("navigator.locks (the Web Locks API)", globalThis.navigator?.locks);
      _checkOptions(options);
      // The enter's signal (asyncWith(…, { signal }), a timeout scope's) ends a wait; steal and ifAvailable never wait.
      const waits = !options.steal && !options.ifAvailable;
      const request = waits ? { ...options, signal: eitherSignal(options.signal, enter.signal) } : options;
      return new Promise<HeldWebLock>((resolve, reject) => {
        let granted = false;
        held = locks.request(name, request, (lock) => {
          granted = true;
          if (lock) globalThis.addEventListener?.("pagehide", onPageHide);
          resolve({ lock, signal: stolen.signal });
          return new Promise<void>((done) => (release = done));
        });
        held.catch((error: unknown) => (granted ? stolen.abort(error) : reject(error)));
      });
    },
    async (_held, failure) => {
      globalThis.removeEventListener?.("pagehide", onPageHide);
      release();
      await held.catch((error: unknown) => {
        if (!failure)
          throw new Error(
            `The lock ${JSON.stringify(name)} was stolen while held (another context requested it with steal: true), so the block did not run exclusively. Watch the block's signal to stop early.`,
            { cause: error },
          );
      });
      if (cachedAway && !failure)
        throw new Error(
          `${cachedAway.message} while held, so the block did not run exclusively. Watch the block's signal to stop early.`,
          { cause: cachedAway },
        );
    },
    "webLock",
  );
}

/** The combinations the Web Locks API refuses, refused here with the reason. */
function _checkOptions({ mode = "exclusive", ifAvailable, steal, signal }: WebLockOptions): void {
  const clash =
    steal && ifAvailable
      ? "steal with ifAvailable (a steal never waits)"
      : steal && mode !== "exclusive"
        ? "steal with a shared mode (only exclusive locks can be stolen)"
        : signal && (steal || ifAvailable)
          ? `signal with ${steal ? "steal" : "ifAvailable"} (there is no wait to abort)`
          : "";
  if (clash) throw new TypeError(`Expected webLock() options that can be combined, got ${clash}`);
  if (mode !== "exclusive" && mode !== "shared")
    throw expected('webLock() options.mode to be "exclusive" or "shared"', mode);
}
