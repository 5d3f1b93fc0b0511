import { type AsyncContextManager, resource } from "@asyncwith/core";
import { eitherSignal, expected } from "@asyncwith/core/adapter";
import { _isPool, _isQueryable, type PoolLike, type Queryable } from "./_shared.js";

/** Options of `advisoryLock`: shared or exclusive, waiting or not, a signal that gives up waiting, and the polling interval on one connection. */
export interface AdvisoryLockOptions {
  /** A shared lock (many holders) instead of an exclusive one. Default: false. */
  shared?: boolean;
  /** Wait for the lock (default), or fail at once with `code: "ELOCKED"`. */
  wait?: boolean;
  /**
   * Gives up waiting: the enter rejects with `signal.reason`. Given a pool, the waiting query is
   * cancelled on the server (`pg_cancel_backend`); given one connection, the wait polls
   * `pg_try_advisory_lock` instead, so there is always a query to stop.
   */
  signal?: AbortSignal;
  /** With one connection and a signal: how often to try again. Default: 50 ms. */
  retryInterval?: number;
}

/**
 * A transaction-scoped advisory lock (`pg_advisory_xact_lock`), taken inside the block of a
 * `transaction()`: PostgreSQL releases it when the transaction ends — committed or rolled back —
 * so it cannot outlive the transaction, nor be released early. Given a savepoint's `tx`, it still
 * lasts until the whole transaction ends.
 *
 * @example
 * await asyncWith(transaction(client), async (tx) => {
 *   await advisoryXactLock(tx, `account:${id}`);
 *   await tx.query("update accounts set balance = balance - $1 where id = $2", [amount, id]);
 * });
 */
export async function advisoryXactLock(
  tx: Queryable & { readonly depth: number },
  key: bigint | number | string,
  options: { shared?: boolean } = {},
): Promise<bigint> {
  if (!_isQueryable(tx) || typeof (tx as { depth?: unknown }).depth !== "number")
    throw expected("advisoryXactLock() to be given a transaction's tx (inside transaction())", tx);
  const id = _key(key);
  await tx.query(`SELECT pg_advisory_xact_lock${options.shared ? "_shared" : ""}($1::bigint)`, [id.toString()]);
  return id;
}

/** What the block gets: the 64-bit key locked, and the connection holding the lock. */
export interface HeldAdvisoryLock<C extends Queryable = Queryable> {
  readonly key: bigint;
  readonly client: C;
}

/**
 * A PostgreSQL advisory lock for the block — the lock for processes on several machines that share
 * a database. Session-level (`pg_advisory_lock`), exclusive or shared; released on exit on every
 * path. Given a pool, a connection is taken for the block and returned after. When the holding
 * session dies (its process killed, the network gone), the server releases the lock: no stale lock
 * is ever left. `key`: a bigint, an integer, or a string hashed stably (FNV-1a, 64 bits).
 *
 * @example
 * await asyncWith(advisoryLock(pool, "nightly-report"), () => buildReport()); // one machine at a time
 */
export function advisoryLock<C extends Queryable>(
  on: C | PoolLike<C>,
  key: bigint | number | string,
  options: AdvisoryLockOptions = {},
): AsyncContextManager<HeldAdvisoryLock<C>, false> {
  if (!_isQueryable(on) && !_isPool(on)) throw expected("advisoryLock() to be given a connection or a pool", on);
  const id = _key(key);
  const { shared = false, wait = true, retryInterval = 50 } = options;
  if (!(typeof retryInterval === "number" && retryInterval > 0 && retryInterval < 2 ** 31))
    throw expected("advisoryLock() options.retryInterval to be a positive number of milliseconds", retryInterval);
  const suffix = shared ? "_shared" : "";
  let pooled: (C & { release(destroy?: boolean | Error): void }) | undefined;
  return resource(
    async (enter) => {
      const signal = eitherSignal(options.signal, enter.signal); // its own, or asyncWith(…, { signal })'s
      signal?.throwIfAborted();
      const client = _isPool(on) ? (pooled = await _connect(on, signal)) : on;
      try {
        if (!wait || (signal && !pooled)) await _tryUntil(client, id, suffix, wait, signal, retryInterval);
        else if (signal && pooled) await _waitCancellable(on as PoolLike, client, id, suffix, signal);
        else await client.query(`SELECT pg_advisory_lock${suffix}($1::bigint)`, [id.toString()]);
      } catch (error) {
        pooled?.release(true);
        throw error;
      }
      return { key: id, client };
    },
    async ({ client }) => {
      try {
        await client.query(`SELECT pg_advisory_unlock${suffix}($1::bigint)`, [id.toString()]);
        pooled?.release();
      } catch (error) {
        pooled?.release(true); // the session ends, and the server releases the lock with it
        throw error;
      }
    },
    "advisoryLock",
  );
}

/**
 * A pooled connection, or the signal's reason when it aborts first (a pool with no spare connection
 * waits): the connection that comes later goes straight back.
 */
function _connect<C extends Queryable>(
  pool: PoolLike<C>,
  signal: AbortSignal | undefined,
): Promise<C & { release(destroy?: boolean | Error): void }> {
  const connecting = pool.connect();
  if (!signal) return connecting;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason); // the connection that comes later is released below
    signal.addEventListener("abort", onAbort, { once: true });
    connecting.then(
      (client) => (signal.removeEventListener("abort", onAbort), signal.aborted ? client.release() : resolve(client)),
      (error) => (signal.removeEventListener("abort", onAbort), reject(error)),
    );
  });
}

async function _tryUntil(
  client: Queryable,
  id: bigint,
  suffix: string,
  wait: boolean,
  signal: AbortSignal | undefined,
  retry: number,
): Promise<void> {
  for (;;) {
    signal?.throwIfAborted(); // an abort during the last try: a listener added now would never fire
    const { rows } = await client.query(`SELECT pg_try_advisory_lock${suffix}($1::bigint) AS locked`, [id.toString()]);
    if ((rows[0] as { locked: boolean }).locked) return;
    if (!wait)
      throw Object.assign(
        new Error(
          `Expected advisory lock ${id} to be free, got it held by another session; leave options.wait at true to wait for it.`,
        ),
        { code: "ELOCKED" },
      );
    await _pause(retry * (0.5 + Math.random()), signal);
  }
}

/** Sleeps, or rejects with the signal's reason; removes its listener either way (one wait, one listener). */
function _pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => (clearTimeout(timer), reject(signal!.reason));
    const timer = setTimeout(() => (signal?.removeEventListener("abort", onAbort), resolve()), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Waits in `pg_advisory_lock`; on abort, cancels that query from another pooled connection. */
async function _waitCancellable(
  pool: PoolLike,
  client: Queryable,
  id: bigint,
  suffix: string,
  signal: AbortSignal,
): Promise<void> {
  const { rows } = await client.query("SELECT pg_backend_pid() AS pid");
  const pid = (rows[0] as { pid: number }).pid;
  const cancel = async () => {
    const other = await pool.connect();
    try {
      await other.query("SELECT pg_cancel_backend($1)", [pid]);
    } finally {
      other.release();
    }
  };
  const onAbort = () => void cancel().catch(() => {}); // the wait then fails: reported below as the reason
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await client.query(`SELECT pg_advisory_lock${suffix}($1::bigint)`, [id.toString()]);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  // Granted just as the abort came: keep the promise of the signal — give it back.
  if (signal.aborted) {
    await client.query(`SELECT pg_advisory_unlock${suffix}($1::bigint)`, [id.toString()]);
    throw signal.reason;
  }
}

/** A stable 64-bit key: bigints and integers as they are, strings by FNV-1a (signed, as bigint columns are). */
export function _key(key: bigint | number | string): bigint {
  if (typeof key === "bigint") {
    if (key >= -(2n ** 63n) && key < 2n ** 63n) return key;
  } else if (typeof key === "number") {
    if (Number.isSafeInteger(key)) return BigInt(key);
  } else if (typeof key === "string" && key !== "") {
    let hash = 0xcbf29ce484222325n;
    for (const byte of new TextEncoder().encode(key)) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
    return BigInt.asIntN(64, hash);
  }
  throw expected("advisoryLock() key to be a 64-bit bigint, a safe integer or a non-empty string", key);
}
