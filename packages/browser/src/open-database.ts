import { type AsyncContextManager, resource } from "@asyncwith/core";
import { checkOptions, eitherSignal, expected } from "@asyncwith/core/adapter";
import { _api, _closedBy, _running } from "./_shared.js";

/** Anything but a promise: IndexedDB ends a version change at the first await that is not its own. */
export type NotAPromise =
  undefined | void | null | string | number | boolean | bigint | symbol | (object & { then?: never });

/** What `openDatabase` does when the database must be created or upgraded, or another tab blocks it. */
export interface OpenDatabaseOptions {
  /**
   * Creates or migrates stores when the version grows. Synchronous: an `async` upgrade would let
   * IndexedDB commit half a schema at its first await, so one is refused (a type error, and a
   * `TypeError` that aborts the version change). Throwing aborts the version change.
   */
  upgrade?(db: IDBDatabase, oldVersion: number, newVersion: number | null, transaction: IDBTransaction): NotAPromise;
  /**
   * Other connections (tabs) keep an older version open: the open waits until they close. Without
   * this callback a blocked open says so once with `console.warn`, instead of waiting silently.
   */
  blocked?(currentVersion: number, requestedVersion: number | null): void;
  /**
   * When another tab or connection upgrades or deletes the database: `"close"` (default, as Dexie)
   * closes this connection so theirs can go on — its running `transaction()` blocks are aborted
   * (rolled back; their exit throws an `AbortError` that says why, as does a later `transaction()`
   * on it); `"keep"` leaves it open (the other side stays blocked until this block ends).
   */
  versionchange?: "close" | "keep";
  /** Gives up waiting (a blocked upgrade): the enter rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Milliseconds to wait for a blocked open before giving up with a `TimeoutError` (default: no bound). */
  timeout?: number;
}

/**
 * Opens an IndexedDB database for the block and closes it on exit. An `upgrade` that throws aborts
 * the version change (the database stays at its old version) and the enter rejects with that error;
 * so does an `upgrade` that returns a promise, with a `TypeError`: it must be synchronous. The
 * enter's signal (`asyncWith(…, { signal })`, a `timeout` scope's) ends a wait on another tab: the
 * enter rejects with its reason at once, and the request is undone when it completes.
 *
 * @example
 * await asyncWith(openDatabase("app", 2, { upgrade: (db) => db.createObjectStore("todos", { keyPath: "id" }) }), (db) =>
 *   asyncWith(transaction(db, "todos", "readwrite"), (tx) => tx.objectStore("todos").put(todo)),
 * );
 */
export function openDatabase(
  name: string,
  version?: number,
  options: OpenDatabaseOptions = {},
): AsyncContextManager<IDBDatabase, false> {
  if (typeof name !== "string") throw expected("openDatabase() to be given a database name", name);
  if (version !== undefined && !(Number.isInteger(version) && version >= 1))
    throw expected("openDatabase() version to be a whole number from 1", version);
  checkOptions("openDatabase()", options, { upgrade: "function", blocked: "function" });
  _checkOptions(options);
  return resource(
    (enter) =>
      new Promise<IDBDatabase>((resolve, reject) => {
        const [signal, clearTimer] = _giveUpSignal(name, options, enter.signal);
        if (signal?.aborted) return reject(signal.reason);
        const request = _api("indexedDB", globalThis.indexedDB).open(name, version);
        let upgradeError: { error: unknown } | undefined;
        // A request cannot be withdrawn: a caller that gives up (a blocked upgrade waiting on another
        // tab) is answered at once, and what the request does later is undone — the version change
        // aborted, a connection that opens anyway closed.
        const onAbort = () => reject(signal!.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        const settled = () => (clearTimer(), signal?.removeEventListener("abort", onAbort));
        request.onupgradeneeded = (event) => {
          if (signal?.aborted) return request.transaction!.abort();
          try {
            const result: unknown = options.upgrade?.(
              request.result,
              event.oldVersion,
              event.newVersion,
              request.transaction!,
            );
            if (typeof (result as PromiseLike<unknown> | null)?.then === "function") {
              (result as PromiseLike<unknown>).then(undefined, () => {}); // its own failure is moot: the change is aborted
              throw new TypeError(
                "Expected openDatabase() options.upgrade to be synchronous, got one returning a promise: IndexedDB ends a version change at its first foreign await",
              );
            }
          } catch (error) {
            upgradeError = { error };
            request.transaction!.abort();
          }
        };
        request.onblocked = (event) =>
          options.blocked
            ? options.blocked(event.oldVersion, event.newVersion)
            : console.warn(
                `[asyncwith] openDatabase(${JSON.stringify(name)}, ${event.newVersion}) is blocked: another tab or connection keeps version ${event.oldVersion} open. It waits until they close; pass { blocked } to tell the user, or { timeout } to give up.`,
              );
        request.onsuccess = () => {
          settled();
          if (signal?.aborted) return request.result.close();
          if (options.versionchange !== "keep") _closeOnVersionChange(name, request.result);
          resolve(request.result);
        };
        request.onerror = (event) => {
          settled();
          if (signal?.aborted) event.preventDefault(); // the abort we made: already answered
          reject(upgradeError ? upgradeError.error : request.error);
        };
      }),
    (db) => db.close(),
    "openDatabase",
  );
}

function _checkOptions({ versionchange, timeout, signal }: OpenDatabaseOptions): void {
  if (versionchange !== undefined && versionchange !== "close" && versionchange !== "keep")
    throw expected('openDatabase() options.versionchange to be "close" or "keep"', versionchange);
  if (timeout !== undefined && !(typeof timeout === "number" && timeout > 0))
    throw expected("openDatabase() options.timeout to be a positive number of milliseconds", timeout);
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw expected("openDatabase() options.signal to be an AbortSignal", signal);
}

/** The enter's signal, the option's and the timeout's, as one (undefined when there is none). */
function _giveUpSignal(
  name: string,
  { signal, timeout }: OpenDatabaseOptions,
  entered?: AbortSignal,
): [AbortSignal | undefined, clearTimer: () => void] {
  const given = eitherSignal(signal, entered);
  if (timeout === undefined || timeout === Infinity) return [given, () => {}];
  const expiry = new AbortController();
  const reason = `openDatabase(${JSON.stringify(name)}) was still blocked after ${timeout} ms (another tab or connection keeps an older version open), so it gave up.`;
  const timer = setTimeout(() => expiry.abort(new DOMException(reason, "TimeoutError")), timeout);
  return [eitherSignal(given, expiry.signal), () => clearTimeout(timer)];
}

/** Dexie's default: give way to another connection's upgrade or delete, and say why afterwards. */
function _closeOnVersionChange(name: string, db: IDBDatabase): void {
  db.addEventListener("versionchange", (event) => {
    const to = event.newVersion === null ? "delete it" : `upgrade it to version ${event.newVersion}`;
    const reason = `The database ${JSON.stringify(name)} was closed because another tab or connection wants to ${to}. Reopen it (after a reload, for new code), or pass { versionchange: "keep" } to openDatabase() to keep it open.`;
    const closed = new DOMException(reason, "AbortError");
    _closedBy.set(db, closed);
    // Stopped, not waited for: a block held open (a waitFor, a slow loop) would hold the upgrade too.
    for (const stop of _running.get(db) ?? []) stop(closed);
    db.close();
  });
}
