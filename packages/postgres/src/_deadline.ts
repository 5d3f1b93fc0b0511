// A transaction's time limit and cancellation: its `timeout` and `signal` options as one signal,
// and the statement running when it aborts cancelled on the server. Not exported from the package.
import { expected } from "@asyncwith/core/adapter";
import type { Queryable } from "./_shared.js";

/** The block's stop: aborts at `timeout` or with `signal`; `stop()` clears the timer. */
export interface _Deadline {
  readonly signal: AbortSignal;
  stop(): void;
  /**
   * Expires now if the timeout has passed: the server's `statement_timeout` (the same bound, set
   * by `transaction()`) fired before our timer. A shorter one the block set itself changes nothing.
   */
  expireIfDue(): void;
}

/** Validates `timeout` (ms) and `signal`; undefined when neither is given. */
export function _deadline(timeout: unknown, signal: unknown, what: string): (() => _Deadline) | undefined {
  if (timeout !== undefined && !(typeof timeout === "number" && timeout > 0 && timeout < 2 ** 31))
    throw expected(`${what} options.timeout to be a positive number of milliseconds`, timeout);
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw expected(`${what} options.signal to be an AbortSignal`, signal);
  if (timeout === undefined && signal === undefined) return undefined;
  return () => {
    const controller = new AbortController();
    const abort = () => controller.abort((signal as AbortSignal).reason);
    const started = performance.now();
    const expire = () =>
      timeout !== undefined &&
      controller.abort(
        new DOMException(
          `Expected the transaction to end within its timeout of ${timeout} ms, got it still running: it was cancelled and rolled back. Raise options.timeout, or do less in one transaction.`,
          "TimeoutError",
        ),
      );
    const timer = timeout === undefined ? undefined : setTimeout(expire, timeout as number);
    (signal as AbortSignal | undefined)?.addEventListener("abort", abort, { once: true });
    if ((signal as AbortSignal | undefined)?.aborted) abort();
    return {
      signal: controller.signal,
      stop: () => (clearTimeout(timer), (signal as AbortSignal | undefined)?.removeEventListener("abort", abort)),
      expireIfDue: () => void (timeout !== undefined && performance.now() - started >= timeout && expire()),
    };
  };
}

type _PgClient = {
  processID?: unknown;
  connectionParameters?: unknown;
  constructor: new (config: unknown) => Queryable & { connect(): Promise<unknown>; end(): Promise<unknown> };
};

/** Whether `client` is a node-postgres client, whose running statement `_cancelRunning` can cancel. */
export const _canCancel = (client: Queryable): boolean =>
  typeof (client as unknown as _PgClient).processID === "number" &&
  typeof (client as unknown as _PgClient).connectionParameters === "object";

/**
 * Cancels the statement a node-postgres client is running (`pg_cancel_backend`, from a short-lived
 * second session with the same settings) — or, with `end`, ends its session (`pg_terminate_backend`:
 * a backend busy with a statement does not notice its socket closing, and keeps its locks till it
 * does). With `startedBefore` (a `performance.now()` time), only a statement that started before
 * then is cancelled: the second session takes a while to connect, and meanwhile the statement may
 * have ended and the connection's owner started another — the caller's own, after an abandoned
 * exit — which is not the one to cancel. PGlite runs statements in this thread: nothing runs to
 * cancel while JavaScript does, and a later statement is refused anyway.
 */
export async function _cancelRunning(client: Queryable, end = false, startedBefore?: number): Promise<boolean> {
  const pg = client as unknown as _PgClient;
  if (!_canCancel(client)) return false;
  const other = new pg.constructor(pg.connectionParameters);
  (other as { on?(event: string, listener: () => void): unknown }).on?.("error", () => {}); // a failed cancel is no crash
  try {
    await other.connect();
    // The abort's time in the server's clock: this statement's start less the time since the abort
    // (late by at most this statement's trip to the server).
    const { rows } = await other.query(
      `SELECT pg_${end ? "terminate" : "cancel"}_backend(pid) AS sent FROM pg_stat_activity WHERE pid = $1 AND ($2::float8 IS NULL OR query_start < statement_timestamp() - $2 * interval '1s')`,
      [pg.processID, startedBefore === undefined || end ? null : (performance.now() - startedBefore) / 1000],
    );
    return (rows[0] as { sent?: boolean } | undefined)?.sent === true; // whether a signal went out
  } finally {
    await other.end().catch(() => {});
  }
}

/** What `_cancelAt` gives: a way to stop listening, and the cancel it sent, if any. */
export interface _Canceller {
  stop(): void;
  /**
   * Resolves once the cancel it sent (if any) has reached the server. Await it before the next
   * statement: a cancel still on its way would cancel that one instead — the caller's own, even.
   */
  readonly sent: Promise<void>;
}

/**
 * Once `signal` aborts (at once if it has): cancels the statement `client` runs — or, with `end`,
 * ends its session — so that what is queued behind it runs.
 */
export function _cancelAt(signal: AbortSignal | undefined, client: Queryable, end = false): _Canceller {
  if (!signal) return _NOTHING; // the usual case: nothing to make, per block
  const canceller = {
    sent: Promise.resolve(),
    stop: () => signal.removeEventListener("abort", cancel),
  };
  // Aborted already: the statement to cancel is the one about to run. Aborted later: the one running
  // then, never one started after it (see _cancelRunning).
  const send = (startedBefore?: number) =>
    void (canceller.sent = _cancelRunning(client, end, startedBefore).then(
      () => {},
      () => {}, // the server gone too: the wait fails on its own
    ));
  const cancel = () => send(performance.now());
  if (signal.aborted) send();
  else signal.addEventListener("abort", cancel, { once: true });
  return canceller;
}
const _NOTHING: _Canceller = { stop: () => {}, sent: Promise.resolve() };

/** Runs `statement`, and once more if a cancel aimed at what ran before it landed on it (57014). */
export const _evenIfCancelled = <T>(statement: () => Promise<T>): Promise<T> =>
  statement().catch((error) => ((error as { code?: string }).code === "57014" ? statement() : Promise.reject(error)));
