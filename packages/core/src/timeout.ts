import { causedBy, expected, reused, signalOf } from "./errors.js";
import type { AsyncContextManager, Failure } from "./protocol.js";
import { propagate } from "./propagate.js";
import { aenter, aexit, managerName } from "./symbols.js";

/** Raised by a timeout's exit when its deadline passed and the block failed because of it. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}

/** Options of `timeout` and `moveOnAfter`: an outer signal the scope also follows. */
export interface TimeoutOptions {
  /** An outer cancellation: its abort aborts this timeout's signal too (with the outer reason). */
  signal?: AbortSignal;
}

/** What a timeout block receives: pass `signal` to whatever it awaits. */
export interface TimeoutScope {
  /** Aborts when the deadline passes (reason: a `TimeoutError` DOMException) or the outer signal aborts. */
  readonly signal: AbortSignal;
  /** The deadline on the `performance.now()` clock, or `null` for none. */
  readonly deadline: number | null;
  /** True once the deadline passed while the block was running. */
  readonly expired: boolean;
  /** Moves the deadline (absolute, `performance.now()` clock); `null` removes it. */
  reschedule(deadline: number | null): void;
}

/**
 * Python's `asyncio.timeout`: the block gets an `AbortSignal` that aborts after `ms`
 * milliseconds (`null`: never). If the deadline passed and the block then failed because of it —
 * with the signal's reason, or an error whose `cause` chain reaches it — the exit raises a
 * `TimeoutError` whose `cause` is that reason. Any other failure passes unchanged (an outer
 * cancellation, a nested timeout's, an unrelated `AbortError`). A timeout can only interrupt what
 * listens to its signal.
 *
 * @example
 * const body = await asyncWith(timeout(5_000), ({ signal }) => fetch(url, { signal }).then((r) => r.text()));
 */
export function timeout(ms: number | null, options?: TimeoutOptions): AsyncContextManager<TimeoutScope, false> {
  if (ms !== null) checkNumber(ms, "timeout(ms)");
  return timeoutAt(ms === null ? null : performance.now() + ms, options);
}

/**
 * Like `timeout`, with an absolute deadline on the `performance.now()` clock.
 * @example await asyncWith(timeoutAt(performance.now() + 1_000), ({ signal }) => work(signal));
 */
export function timeoutAt(deadline: number | null, options?: TimeoutOptions): AsyncContextManager<TimeoutScope, false> {
  if (deadline !== null) checkNumber(deadline, "timeoutAt(deadline)");
  return deadlineScope(deadline, options, false) as AsyncContextManager<TimeoutScope, false>;
}

/**
 * Trio's `move_on_after`: like `timeout`, but its expiry is not an error. At the deadline the block
 * is aborted (through `signal`), and if it then fails because of it, `asyncWith` resolves to
 * `undefined` with `scope.expired === true`; the code after the block goes on.
 *
 * @example
 * const fresh = await asyncWith(moveOnAfter(200), ({ signal }) => fetchPrices({ signal }));
 * render(fresh ?? cachedPrices); // undefined: the deadline passed, moved on
 */
export function moveOnAfter(ms: number | null, options?: TimeoutOptions): AsyncContextManager<TimeoutScope, boolean> {
  if (ms !== null) checkNumber(ms, "moveOnAfter(ms)");
  return moveOnAt(ms === null ? null : performance.now() + ms, options);
}

/**
 * Like `moveOnAfter`, with an absolute deadline on the `performance.now()` clock.
 * @example await asyncWith(moveOnAt(deadline), ({ signal }) => poll(signal));
 */
export function moveOnAt(
  deadline: number | null,
  options?: TimeoutOptions,
): AsyncContextManager<TimeoutScope, boolean> {
  if (deadline !== null) checkNumber(deadline, "moveOnAt(deadline)");
  return deadlineScope(deadline, options, true);
}

function deadlineScope(
  deadline: number | null,
  options: TimeoutOptions | undefined,
  moveOn: boolean,
): AsyncContextManager<TimeoutScope, boolean> {
  const outer = signalOf(options, moveOn ? "moveOnAfter()/moveOnAt()" : "timeout()/timeoutAt()");
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let state: "new" | "open" | "closed" = "new";
  let expired = false;
  const fire = () => {
    if (controller.signal.aborted) return; // the outer signal got there first: not our timeout
    expired = true;
    controller.abort(new DOMException("The operation timed out.", "TimeoutError"));
  };
  const follow = () => propagate(() => controller.abort(outer!.reason));
  const schedule = () => {
    clearTimeout(timer);
    if (deadline !== null && state === "open") timer = setTimeout(fire, Math.max(0, deadline - performance.now()));
  };
  const scope: TimeoutScope = {
    signal: controller.signal,
    get deadline() {
      return deadline;
    },
    get expired() {
      return expired;
    },
    reschedule(next) {
      if (next !== null) checkNumber(next, "reschedule(deadline)");
      if (expired || state === "closed")
        throw new TypeError(
          `Expected a running timeout to reschedule, got one that ${expired ? "already expired" : "has exited"}`,
        );
      deadline = next;
      schedule();
    },
  };
  return {
    [managerName]: moveOn ? "moveOnAfter" : "timeout",
    [aenter]() {
      if (state !== "new") throw reused(moveOn ? "moveOnAfter" : "timeout");
      if (outer?.aborted) throw outer.reason;
      state = "open";
      outer?.addEventListener("abort", follow, { once: true });
      schedule();
      return scope;
    },
    [aexit](failure?: Failure) {
      state = "closed";
      clearTimeout(timer);
      outer?.removeEventListener("abort", follow);
      const ours = expired && !!failure && causedBy(failure.error, controller.signal.reason);
      // An outer cancellation is never lost: when the outer signal aborted — even after our own
      // deadline fired first — a block that ended normally or by our expiry gives its reason on.
      if (outer?.aborted && (!failure || ours)) throw outer.reason;
      // Only our own deadline converts: an outer abort or another scope's passes through unchanged.
      if (!ours) return false;
      if (moveOn) return true;
      throw new TimeoutError("The block did not finish before its deadline.", { cause: controller.signal.reason });
    },
  };
}

function checkNumber(x: unknown, where: string): void {
  if (typeof x !== "number" || Number.isNaN(x)) throw expected(`${where} to be a number of milliseconds or null`, x);
}
