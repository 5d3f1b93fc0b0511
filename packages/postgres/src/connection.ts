import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected, untilAborted } from "@asyncwith/core/adapter";
import { _connect, _isPool, _Watch, type ClientOf, type PoolLike, type _Pooled } from "./_shared.js";

/** Options of `connection`: whether the session is reset before it goes back to the pool. */
export interface ConnectionOptions {
  /**
   * Before a session goes back to the pool, undo what a block may have changed in it: session
   * advisory locks, `SET`s, open cursors, `LISTEN`s and temporary tables (one round trip). Default:
   * true. `false` skips it, for blocks that change none of these.
   */
  reset?: boolean;
}

// One round trip. Not DISCARD ALL: it fails inside a transaction block, and its DEALLOCATE ALL would
// break node-postgres' cache of named prepared statements (which are left as they are: inert).
const _RESET = "SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL; DISCARD TEMP";

/**
 * A pooled client for the block (`pool.connect()`). On success it goes back to the pool only idle
 * and clean: a block that left a transaction open fails (its work is rolled back with the session,
 * which is destroyed), and the session is reset (see `ConnectionOptions.reset`). On failure it is
 * destroyed — a connection in an unknown state is never handed to the next user, as
 * node-postgres' `release(error)` intends. The enter's signal gives up waiting for a free connection.
 *
 * @example
 * await asyncWith(connection(pool), (client) => asyncWith(transaction(client), (tx) => tx.query("…")));
 */
export function connection<P extends PoolLike>(
  pool: P,
  options: ConnectionOptions = {},
): AsyncContextManager<ClientOf<P>, false> {
  if (!_isPool(pool)) throw expected("connection() to be given a pool (with connect(), like pg's Pool)", pool);
  if (options === null || typeof options !== "object") throw expected("connection() options to be an object", options);
  const { reset = true } = options;
  if (typeof reset !== "boolean") throw expected("connection() options.reset to be true or false", reset);
  let watch: _Watch;
  return resource(
    async ({ signal }) => {
      let client;
      ({ client, watch } = await _connect(pool, signal, (cause) => new Error("The pooled session ended", { cause })));
      return client as unknown as ClientOf<P>;
    },
    async (client, failure, options) => {
      const pooled = client as unknown as _Pooled;
      let reused = false;
      try {
        if (failure || watch.gone) return pooled.release(failure?.error instanceof Error ? failure.error : true);
        const status = (client as { getTransactionStatus?(): string | null }).getTransactionStatus?.();
        if (status !== "I") {
          pooled.release(true); // the server rolls back what the session left open
          if (status === undefined) return; // a client that cannot say: never reused, to be safe
          const got =
            status === null
              ? "with a statement still running (not awaited in the block)"
              : "inside a transaction (BEGIN without COMMIT or ROLLBACK)";
          throw new Error(
            `Expected the connection to be idle when the block ended, got it ${got}: the session was closed, and the server rolled back what it left open. End it in the block, or use transaction(client).`,
          );
        }
        // At an exit deadline, a reset the server does not answer is given up: the session is
        // destroyed rather than pooled (release(error)), so nothing waits on it any longer.
        if (reset)
          await untilAborted(pooled.query(_RESET), options?.signal).catch(
            (error) => (pooled.release(error), Promise.reject(error)),
          );
        pooled.release();
        reused = true;
      } finally {
        watch.stop(reused);
      }
    },
    "connection",
  );
}
