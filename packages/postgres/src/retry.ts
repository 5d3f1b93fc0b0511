import { expected } from "@asyncwith/core/adapter";
import { _sleep } from "./_shared.js";

/** Options of `retryOnConflict`: how many tries, how long between them, and a signal that stops waiting. */
export interface RetryOptions {
  /** Tries in all, the first included. Default: 5. */
  attempts?: number;
  /** Milliseconds before try `n + 1` (n from 1). Default: 10 · 2ⁿ⁻¹, jittered, at most 1,000. */
  backoff?: (attempt: number) => number;
  /** Stops retrying: the wait rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** SQLSTATEs that mean "run the whole transaction again": serialization failure, deadlock. */
const _RETRYABLE = new Set(["40001", "40P01"]);

/**
 * Runs `block` — a whole transaction, `asyncWith(transaction(…), body)` — and runs it again when it
 * fails with a serialization failure (`40001`) or a deadlock (`40P01`), the failures PostgreSQL
 * asks clients to retry. Every other error, and the last one, is rethrown as the very same value;
 * a COMMIT of unknown outcome (`08007`) is never retried. The block must be safe to run again:
 * everything it did in the database was rolled back, but work outside it was not.
 *
 * @example
 * const total = await retryOnConflict(() =>
 *   asyncWith(transaction(client, { isolation: "serializable" }), async (tx) => {
 *     const { rows } = await tx.query("select sum(amount) as total from ledger");
 *     await tx.query("insert into ledger values ($1)", [-rows[0].total]);
 *     return rows[0].total;
 *   }),
 * );
 */
export async function retryOnConflict<T>(
  block: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const { attempts = 5, backoff = _backoff, signal } = options;
  if (typeof block !== "function")
    throw expected("retryOnConflict() to be given a function that runs the transaction", block);
  if (!(Number.isSafeInteger(attempts) && attempts >= 1))
    throw expected("retryOnConflict() options.attempts to be a whole number of tries, at least 1", attempts);
  if (typeof backoff !== "function") throw expected("retryOnConflict() options.backoff to be a function", backoff);
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await block(attempt);
    } catch (error) {
      if (attempt >= attempts || !_RETRYABLE.has((error as { code?: unknown } | null)?.code as string)) throw error;
    }
    await _sleep(backoff(attempt), signal);
  }
}

const _backoff = (attempt: number) => Math.min(1_000, 10 * 2 ** (attempt - 1)) * (0.5 + Math.random());
