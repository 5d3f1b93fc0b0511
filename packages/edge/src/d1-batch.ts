import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected, untilAborted } from "@asyncwith/core/adapter";

/** What `d1Batch` needs: Cloudflare's `D1Database`. */
export interface BatchDatabase<Statement, Result> {
  /** Sends the statements as one transaction: all of them apply, or none. */
  batch(statements: Statement[]): Promise<Result[]>;
}

/** What the block gets: add statements; they run after the block, all or none. */
export interface D1BatchCollector<Statement, Result> {
  /** Queues prepared statements (in order). */
  add(...statements: Statement[]): void;
  /** The batch's results, once the block succeeded and the batch ran. */
  readonly results: Result[] | undefined;
}

/**
 * Collects prepared statements during the block; on success the exit runs them as one atomic
 * `db.batch()` (all or none); when the block throws, nothing is sent.
 *
 * @example
 * await asyncWith(d1Batch(env.DB), (batch) => {
 *   batch.add(env.DB.prepare("UPDATE accounts SET balance = balance - ?1 WHERE id = ?2").bind(10, from));
 *   batch.add(env.DB.prepare("UPDATE accounts SET balance = balance + ?1 WHERE id = ?2").bind(10, to));
 * });
 */
export function d1Batch<Statement, Result>(
  db: BatchDatabase<Statement, Result>,
): AsyncContextManager<D1BatchCollector<Statement, Result>, false> {
  if (typeof (db as Partial<BatchDatabase<Statement, Result>> | null)?.batch !== "function")
    throw expected("d1Batch() to be given a D1 database binding", db);
  const queued: Statement[] = [];
  let results: Result[] | undefined;
  const collector: D1BatchCollector<Statement, Result> = {
    add: (...statements) => void queued.push(...statements),
    get results() {
      return results;
    },
  };
  return resource(
    () => collector,
    async (_collector, failure, options) => {
      collector.add = () => {
        throw new ReferenceError("Expected an open d1Batch() block, got one that has ended");
      };
      if (failure || !queued.length) return;
      // At an exit deadline, stop waiting for the reply; D1 cannot take a sent batch back.
      const signal = options?.signal;
      results = await untilAborted(db.batch(queued), signal).catch((error: unknown) => {
        if (!signal?.aborted || error !== signal.reason) throw error;
        throw new Error(
          "d1Batch()'s exit stopped waiting for D1's reply at its deadline: the batch may or may not have been applied, so check before sending it again",
          { cause: error },
        );
      });
    },
    "d1Batch",
  );
}
