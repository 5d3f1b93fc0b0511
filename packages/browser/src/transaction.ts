import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected, suppressed } from "@asyncwith/core/adapter";
import { _closedBy, _running } from "./_shared.js";
import { _waitFor, type WaitForOptions } from "./_wait-for.js";

/** `T` with every method that returns an `IDBRequest<R>` returning `Promise<R>` instead (stores and indexes too). */
export type Promised<T> = PromisedMembers<T> & (T extends IDBTransaction ? WaitFor : unknown);

/** What a `transaction()` block gets on top of IndexedDB's own transaction. */
export interface WaitFor {
  /**
   * Awaits non-IndexedDB work (a `fetch`, a timer) without letting IndexedDB commit the
   * transaction meanwhile: small read requests keep it alive until `work` settles, as
   * `Dexie.waitFor` does. The block then commits everything or nothing. Keep the work short:
   * the transaction holds its stores the whole time, so the wait is bounded (`timeout`, default
   * 60 s) and can be stopped (`signal`); either aborts the transaction and rejects.
   * @example const price = await tx.waitFor(fetch(url).then((r) => r.json()), { timeout: 5_000 });
   */
  waitFor<R>(work: PromiseLike<R>, options?: WaitForOptions): Promise<R>;
}

/** Each member of `T` that makes an `IDBRequest`, as a method returning a promise of its result; stores and indexes promised in turn. */
export type PromisedMembers<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => IDBRequest<infer R>
    ? (...args: A) => Promise<R>
    : T[K] extends (...args: infer A) => IDBObjectStore
      ? (...args: A) => Promised<IDBObjectStore>
      : T[K] extends (...args: infer A) => IDBIndex
        ? (...args: A) => Promised<IDBIndex>
        : T[K];
};

/**
 * Thrown when IndexedDB committed the transaction before the block ended (see `transaction`).
 * @example
 * try {
 *   await asyncWith(transaction(db, "todos", "readwrite"), async (tx) => { await tx.objectStore("todos").put(t); await fetch(url) });
 * } catch (error) {
 *   if (error instanceof EarlyCommitError) console.warn("move the fetch out of the transaction");
 * }
 */
export class EarlyCommitError extends Error {
  override name = "EarlyCommitError";
}

/**
 * An IndexedDB transaction for the block, whose requests are promises: `await tx.objectStore("s").get(k)`.
 * On success the exit commits and resolves on `complete` (it throws the transaction's error if it
 * aborted instead: a failed request aborts it, as in IndexedDB, even when the block caught the
 * rejection). When the block throws, the exit aborts the transaction, waits for `abort` and
 * rethrows the block's error: the data is as before the block.
 *
 * IndexedDB commits a transaction by itself once it has no pending request when the block awaits
 * something else (a fetch, a timer): everything the block wrote before that await is committed, and
 * the block's next request fails (TransactionInactiveError). Then a `readwrite` exit throws
 * `EarlyCommitError` rather than letting a half-done block pass for a whole one. To await such
 * work inside the transaction, wrap it: `await tx.waitFor(fetch(url))` keeps the transaction alive,
 * so the block commits everything or nothing.
 *
 * @example
 * await asyncWith(transaction(db, ["accounts", "log"], "readwrite"), async (tx) => {
 *   const from = await tx.objectStore("accounts").get("alice");
 *   await tx.objectStore("accounts").put({ ...from, balance: from.balance - 10 });
 *   await tx.objectStore("log").add({ from: "alice", amount: 10 }); // throws? nothing above is kept
 * });
 */
export function transaction(
  db: IDBDatabase,
  stores: string | string[],
  mode: IDBTransactionMode = "readonly",
  options?: IDBTransactionOptions,
): AsyncContextManager<Promised<IDBTransaction>, false> {
  if (typeof (db as Partial<IDBDatabase> | null)?.transaction !== "function")
    throw expected("transaction() to be given an open IDBDatabase (from openDatabase)", db);
  let tx: IDBTransaction;
  let state: "active" | "complete" | "abort" = "active";
  let settled: Promise<unknown>;
  let failedRequest = false;
  let closedBy: DOMException | undefined; // openDatabase gave the connection up to another tab's upgrade
  const stop = (reason: DOMException) => ((closedBy = reason), _try(() => tx.abort()));
  const early = (what: string) => mode !== "readonly" && state === "complete" && _earlyCommit(what);
  return resource(
    () => {
      const closed = _closedBy.get(db);
      if (closed) throw closed;
      tx = db.transaction(stores, mode, options);
      _running.get(db)?.add(stop) ?? _running.set(db, new Set([stop]));
      settled = new Promise((resolve) => {
        tx.oncomplete = () => resolve((state = "complete"));
        tx.onabort = () => resolve((state = "abort"));
      });
      return _promised(tx, () => (failedRequest = true));
    },
    async (_tx, failure) => {
      // abort() and commit() throw once the transaction is committing or finished: that is how the
      // exit learns that IndexedDB already ended it, before the complete/abort event arrives.
      _running.get(db)?.delete(stop);
      if (failure) {
        if (_try(() => tx.abort())) return settled;
        await settled;
        if (closedBy) throw suppressed(closedBy, failure.error);
        const error = early("could not be rolled back");
        if (error) throw suppressed(error, failure.error);
        return;
      }
      // A failed request aborts the transaction (IndexedDB's rule), even if the block caught it.
      const ended = failedRequest || !_try(() => tx.commit?.());
      await settled;
      if (state === "abort")
        throw closedBy ?? tx.error ?? new DOMException("The transaction was aborted.", "AbortError");
      const error = ended && early("is committed");
      if (error) throw error;
    },
    "transaction",
  );
}

const _earlyCommit = (what: string) =>
  new EarlyCommitError(
    `The transaction committed early because the block awaited non-IndexedDB work while no request was pending; what the block wrote before that await ${what}. Do the other work before or after the transaction.`,
  );

/** Calls `f`; false when it threw (the InvalidStateError of a transaction already committing or finished). */
function _try(f: () => void): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

/** Wraps IndexedDB objects so that methods returning requests return promises instead. */
function _promised<T extends object>(target: T, onError: () => void): Promised<T> {
  return new Proxy(target, {
    get(object, key) {
      if (key === "waitFor" && object instanceof IDBTransaction)
        return (work: PromiseLike<unknown>, options?: WaitForOptions) => _waitFor(object, work, options);
      const value = Reflect.get(object, key, object);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result = value.apply(object, args);
        if (result instanceof IDBRequest) return _request(result, onError);
        return result instanceof IDBObjectStore || result instanceof IDBIndex ? _promised(result, onError) : result;
      };
    },
  }) as Promised<T>;
}

function _request<R>(request: IDBRequest<R>, onError: () => void): Promise<R> {
  const promise = new Promise<R>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => (onError(), reject(request.error));
  });
  // Never an unhandled rejection, whether or not the block awaits it: a failed request aborts the
  // transaction and the exit throws its error, and requests left pending when the block threw
  // reject with the AbortError of our own rollback. A block that awaits it still sees it.
  promise.catch(() => {});
  return promise;
}
