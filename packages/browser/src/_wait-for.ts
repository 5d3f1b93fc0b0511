// tx.waitFor(): the one way a transaction() block awaits foreign work. Not exported from the package.
import { expected } from "@asyncwith/core/adapter";

/** How long `tx.waitFor()` may hold its transaction, and who may stop it earlier. */
export interface WaitForOptions {
  /**
   * Milliseconds the work may take (default 60 000, as Dexie's `waitFor`; `Infinity` for none).
   * Past it the transaction is aborted — nothing of the block is kept — and `waitFor` rejects
   * with a `TimeoutError`: a promise that never settles cannot hold the stores forever.
   */
  timeout?: number;
  /** Stops waiting: the transaction is aborted and `waitFor` rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** The default bound of `tx.waitFor()`, in milliseconds. */
const WAIT_FOR_TIMEOUT = 60_000;

/**
 * Keeps `tx` alive with one small read at a time until `work` settles, then settles from inside a
 * request's success event, where the transaction is active again, so the block can go on using it.
 * Giving up (timeout, signal) aborts the transaction: the block cannot go on with it anyway.
 */
export function _waitFor<R>(tx: IDBTransaction, work: PromiseLike<R>, options: WaitForOptions = {}): Promise<R> {
  const { timeout = WAIT_FOR_TIMEOUT, signal } = options;
  if (!(typeof timeout === "number" && timeout > 0))
    throw expected("tx.waitFor() options.timeout to be a positive number of milliseconds (or Infinity)", timeout);
  const waiting = new Promise<R>((resolve, reject) => {
    const result = Promise.resolve(work);
    let settled = false;
    let gaveUp = false;
    result.then(
      () => (settled = true),
      () => (settled = true),
    );
    const giveUp = (reason: unknown) => {
      if (gaveUp) return;
      gaveUp = true;
      stop();
      reject(reason);
      try {
        tx.abort();
      } catch {} // already ending: its own outcome stands
    };
    const timer =
      timeout === Infinity
        ? undefined
        : setTimeout(
            () =>
              giveUp(
                new DOMException(
                  `tx.waitFor() waited ${timeout} ms for work that did not settle, so the transaction was aborted and nothing of the block is kept. Pass { timeout } for longer work, or do it before or after the transaction.`,
                  "TimeoutError",
                ),
              ),
            timeout,
          );
    const onAbort = () => giveUp(signal!.reason);
    const stop = () => (clearTimeout(timer), signal?.removeEventListener("abort", onAbort));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const store = tx.objectStore(tx.objectStoreNames[0]!);
    const spin = () => {
      const request = store.get(-Infinity); // a valid key no one uses: a cheap round trip
      request.onsuccess = () => (gaveUp ? undefined : settled ? (stop(), resolve(result)) : spin());
      request.onerror = () => (stop(), reject(request.error));
    };
    spin();
  });
  // Never an unhandled rejection: a block that threw leaves its waitFor pending, and our rollback
  // then rejects it with an AbortError nobody awaits. A block that awaits it still sees it.
  waiting.catch(() => {});
  return waiting;
}
