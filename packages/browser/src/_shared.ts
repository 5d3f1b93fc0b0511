// Helpers every manager of this package shares. Not exported from the package.

/**
 * A browser API, looked up when a manager is entered (never at import: the package must load in
 * SSR and in Node), with an error that says which runtime lacks it.
 */
export function _api<T>(name: string, value: T | undefined): T {
  if (value == null)
    throw new TypeError(
      `Expected ${name} in this runtime, got none: @asyncwith/browser needs a browser (in Node use @asyncwith/node, on Workers @asyncwith/edge)`,
    );
  return value;
}

/**
 * Connections openDatabase closed because another connection upgrades or deletes the database,
 * with the reason: transaction() gives that reason instead of IndexedDB's bare InvalidStateError.
 */
export const _closedBy = new WeakMap<IDBDatabase, DOMException>();

/** The transaction() blocks running on each connection: openDatabase stops them when it gives way. */
export const _running = new WeakMap<IDBDatabase, Set<(reason: DOMException) => void>>();
