// What every manager of this package shares. Not exported from the package.

/** What a query gives back: node-postgres' `QueryResult` and PGlite's `Results` both fit. */
export interface QueryResultLike {
  rows: unknown[];
  command?: string;
}

/**
 * Anything that runs SQL: a node-postgres `Client` or `PoolClient`, a PGlite database, or a
 * `Transaction` of this package. Typed structurally: nothing here depends on either at run time.
 */
export interface Queryable {
  /** Runs one statement with `$1`, `$2`, … bound to `params`. */
  query(text: string, params?: unknown[]): Promise<QueryResultLike>;
}

/** A node-postgres `Pool`: `connect()` gives a releasable client; `totalCount` tells it from a `Client`. */
export interface PoolLike<C extends Queryable = Queryable> {
  /** Checks a client out of the pool; `release(true)` (or an error) destroys it instead of returning it. */
  connect(): Promise<C & { release(destroy?: boolean | Error): void }>;
  readonly totalCount: number;
}

export const _isQueryable = (x: unknown): x is Queryable =>
  typeof (x as Partial<Queryable> | null)?.query === "function";
/** A pool hands out connections; a pg `Client` has `connect()` too, but no pool counters. */
export const _isPool = (x: unknown): x is PoolLike =>
  typeof (x as Partial<PoolLike> | null)?.connect === "function" &&
  typeof (x as { totalCount?: unknown }).totalCount === "number";

/**
 * The client a pool's `connect()` gives. pg's `Pool.connect` is overloaded (with a callback form
 * that returns nothing), so both forms are matched: `ReturnType` would see only the last one.
 */
export type ClientOf<P> = P extends { connect(): Promise<infer C>; connect(callback: (...args: any[]) => void): void }
  ? C
  : P extends { connect(): Promise<infer C> }
    ? C
    : never;

/** A pooled client: `release(true)` (or an error) destroys it instead of returning it. */
export type _Pooled<C extends Queryable = Queryable> = C & { release(destroy?: boolean | Error): void };

/**
 * A pooled connection, or the signal's reason when it aborts first (a pool with no spare connection
 * waits): a connection that comes later goes straight back. Through `connect(callback)` where the
 * pool has it (pg's): the callback runs the moment the pool hands the client over, having just
 * removed its own `'error'` listener, and one is attached then and there. The promise form leaves
 * a gap of microtasks in which a FATAL message that came in the same read (a server restarting)
 * reaches a client with no listener at all, and crashes the process.
 */
export function _connect<C extends Queryable>(
  pool: PoolLike<C>,
  signal: AbortSignal | undefined,
  reason: (cause: unknown) => Error,
): Promise<{ client: _Pooled<C>; watch: _Watch }> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal!.reason); // the connection that comes later is released below
    signal?.addEventListener("abort", onAbort, { once: true });
    const handed = (error: unknown, client?: _Pooled<C>) => {
      signal?.removeEventListener("abort", onAbort);
      if (error) return reject(error);
      if (signal?.aborted) return client!.release();
      resolve({ client: client!, watch: new _Watch(client, true, reason) }); // watched from the hand-over on
    };
    const connect = pool.connect as unknown as (callback?: (error: unknown, client?: _Pooled<C>) => void) => unknown;
    if (connect.length) connect.call(pool, handed);
    else pool.connect().then((client) => handed(undefined, client), handed);
  });
}

type _Listener = (error?: unknown) => void;
type _Emitter = {
  on(event: string, listener: _Listener): unknown;
  removeListener(event: string, listener: _Listener): unknown;
};

/**
 * Watches a node-postgres client for the end of its session: `'end'` always, and `'error'` too when
 * the package holds the client (a pooled one) — a pooled client's `'error'` has no other listener
 * while checked out, and an unhandled one would crash the process. A client the caller owns keeps
 * its own `'error'` handling. PGlite emits neither: its session ends only when it is closed.
 * A class, not an object literal with a getter: that literal cost more per block than the queries' own JS.
 */
export class _Watch {
  /** Why the session is gone (the signal's reason), once it is. */
  gone: Error | undefined;
  // Made when first read: an AbortController costs more than the rest of a block's bookkeeping,
  // and most blocks never look at their signal.
  #controller: AbortController | undefined;
  #emitter: _Emitter | undefined;
  #onEnd: _Listener;
  #held: boolean;

  constructor(client: unknown, held: boolean, reason: (cause: unknown) => Error) {
    this.#held = held;
    this.#onEnd = (error) => this.lose(reason(error ?? new Error("the session ended")));
    const emitter = client as Partial<_Emitter>;
    if (typeof emitter.on !== "function" || typeof emitter.removeListener !== "function") return;
    this.#emitter = emitter as _Emitter;
    emitter.on("end", this.#onEnd);
    if (held) emitter.on("error", this.#onEnd);
  }

  /** Aborts once the session is gone, with the reason that says why. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.gone) this.#controller.abort(this.gone); // lost before first read (a no-op once aborted)
    return this.#controller.signal;
  }

  /** Records that the session (or what it held) is gone, seen by other means — a failed unlock — and aborts the signal with `reason`. */
  lose(reason: Error): void {
    if (this.gone) return;
    this.gone = reason;
    this.#controller?.abort(reason);
  }

  /**
   * Stops watching: call once the session is released. Only a client that goes back to the pool
   * (`reused`), where pg-pool listens while it is idle, loses the `'error'` listener: one being
   * destroyed may still report the error of its dying socket (a server restart's FATAL arriving
   * as it closes), and keeps a listener that records it, never an unhandled one.
   */
  stop(reused = false): void {
    this.#emitter?.removeListener("end", this.#onEnd);
    if (this.#held && reused) this.#emitter?.removeListener("error", this.#onEnd);
  }
}

/** True for an error that says the session itself is gone (no SQLSTATE, or class 08 / 57P0x), not that one statement failed. */
export const _isSessionGone = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith("08") || code.startsWith("57P0");
};

/** Sleeps, or rejects with the signal's reason (at once if it already aborted); removes its listener either way. */
export function _sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => (clearTimeout(timer), reject(signal!.reason));
    const timer = setTimeout(() => (signal?.removeEventListener("abort", onAbort), resolve()), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
