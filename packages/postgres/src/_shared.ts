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
