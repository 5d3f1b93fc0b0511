import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";
import { _isPool, type ClientOf, type PoolLike } from "./_shared.js";

/**
 * A pooled client for the block (`pool.connect()`): released to the pool on success, and
 * destroyed on failure — a connection in an unknown state (an open transaction, a half-read
 * result) is never handed to the next user, as node-postgres' `release(error)` intends.
 *
 * @example
 * await asyncWith(connection(pool), (client) => asyncWith(transaction(client), (tx) => tx.query("…")));
 */
export function connection<P extends PoolLike>(pool: P): AsyncContextManager<ClientOf<P>, false> {
  if (!_isPool(pool)) throw expected("connection() to be given a pool (with connect(), like pg's Pool)", pool);
  return resource(
    () => pool.connect() as Promise<ClientOf<P>>,
    (client, failure) =>
      (client as { release(destroy?: boolean | Error): void }).release(
        failure ? (failure.error instanceof Error ? failure.error : true) : undefined,
      ),
    "connection",
  );
}
