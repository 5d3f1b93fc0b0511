import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";

/** What `durableTransaction` needs of a storage transaction: a way to roll it back. */
export interface RollbackOnly {
  /** Discards every write made in the transaction so far. */
  rollback(): void;
}

/** What `durableTransaction` needs: Cloudflare's `DurableObjectStorage`. */
export interface TransactionalStorage<Txn extends RollbackOnly> {
  /** Runs `closure` in a transaction: committed when it resolves, rolled back when it rejects or calls `txn.rollback()`. */
  transaction<T>(closure: (txn: Txn) => Promise<T>): Promise<T>;
}

/**
 * A Durable Object storage transaction for the block: commits when the block succeeds; when it
 * throws, rolls back every write made meanwhile — KV (`txn.put`, `storage.put`) and SQL
 * (`storage.sql.exec`) alike — and rethrows the block's error.
 *
 * @example
 * await asyncWith(durableTransaction(this.ctx.storage), async () => {
 *   this.ctx.storage.sql.exec("UPDATE accounts SET balance = balance - ? WHERE id = ?", amount, from);
 *   if (balanceOf(from) < 0) throw new Error("insufficient funds"); // nothing above is kept
 *   this.ctx.storage.sql.exec("UPDATE accounts SET balance = balance + ? WHERE id = ?", amount, to);
 * });
 */
export function durableTransaction<Txn extends RollbackOnly>(
  storage: TransactionalStorage<Txn>,
): AsyncContextManager<Txn, false> {
  if (typeof (storage as Partial<TransactionalStorage<Txn>> | null)?.transaction !== "function")
    throw expected("durableTransaction() to be given a Durable Object's this.ctx.storage", storage);
  let finish: (failed: boolean) => void = () => {};
  let done: Promise<unknown> = Promise.resolve();
  return resource(
    () =>
      new Promise<Txn>((resolve, reject) => {
        // The block runs while this closure waits: the storage keeps everything written meanwhile
        // in the transaction, and the closure decides its fate once the block has ended.
        const outcome = new Promise<boolean>((settle) => (finish = settle));
        done = storage.transaction(async (txn) => {
          resolve(txn);
          if (await outcome) txn.rollback();
        });
        done.catch(reject);
      }),
    async (_txn, failure) => {
      finish(failure !== undefined);
      await done;
    },
    "durableTransaction",
  );
}
