import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";
import { _api } from "./_shared.js";

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
  /** Other connections (tabs) keep an older version open: the open waits until they close. */
  blocked?(currentVersion: number, requestedVersion: number | null): void;
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
  return resource(
    ({ signal }) =>
      new Promise<IDBDatabase>((resolve, reject) => {
        const request = _api("indexedDB", globalThis.indexedDB).open(name, version);
        let upgradeError: { error: unknown } | undefined;
        // A request cannot be withdrawn: a caller that gives up (a blocked upgrade waiting on another
        // tab) is answered at once, and what the request does later is undone — the version change
        // aborted, a connection that opens anyway closed.
        const onAbort = () => reject(signal!.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        const settled = () => signal?.removeEventListener("abort", onAbort);
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
        request.onblocked = (event) => options.blocked?.(event.oldVersion, event.newVersion);
        request.onsuccess = () => {
          settled();
          if (signal?.aborted) request.result.close();
          else resolve(request.result);
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
