import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";
import { _isPool, type PoolLike, type Queryable } from "./_shared.js";

/**
 * A pooled client for the block (`pool.connect()`): released to the pool on success, and
 * destroyed on failure — a connection in an unknown state (an open transaction, a half-read
 * result) is never handed to the next user, as node-postgres' `release(error)` intends.
 *
 * @example
 * await asyncWith(connection(pool), (client) => asyncWith(transaction(client), (tx) => tx.query("…")));
 */
export function connection<C extends Queryable>(
  pool: PoolLike<C>,
): AsyncContextManager<C & { release(destroy?: boolean | Error): void }, false> {
  if (!_isPool(pool)) throw expected("connection() to be given a pool (with connect(), like pg's Pool)", pool);
  return resource(
    () => pool.connect(),
    (client, failure) => client.release(failure ? (failure.error instanceof Error ? failure.error : true) : undefined),
    "connection",
  );
}
