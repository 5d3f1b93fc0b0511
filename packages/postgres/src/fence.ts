// Fencing tokens for advisoryLock: a counter per key that PostgreSQL itself checks, so that a
// holder whose lock was lost cannot write after the next holder entered — even from another
// session. Not a copy of the lock: the token is taken on the lock's own session, once it is held.
import { expected } from "@asyncwith/core/adapter";
import { _isQueryable, type Queryable } from "./_shared.js";

/** The table of fencing tokens: one row per lock key, its token raised by each holder. */
const _TABLE = "asyncwith_fence";
const _CREATE = `CREATE TABLE IF NOT EXISTS ${_TABLE} (key bigint PRIMARY KEY, token bigint NOT NULL)`;

/**
 * Where a held lock keeps the table its token came from, schema-qualified: `checkFence` reads that
 * very table, whatever the checking session's `search_path` finds first (another schema's
 * `asyncwith_fence`, whose row for the key may hold an equal stale token, would let a lost holder write).
 */
export const _fenceTable: unique symbol = Symbol("asyncwith.fenceTable");

// The schema of the table the row went into, as a quoted identifier (regnamespace's output): safe
// to put into the check's SQL.
const _SCHEMA = `(SELECT relnamespace::regnamespace FROM pg_class WHERE oid = ${_TABLE}.tableoid)::text`;

/**
 * Takes the next token for `id` on the lock's session: the row is created (and the table, on
 * first use) or its token raised; also says which table that was (see `_fenceTable`). The raise
 * waits while a fenced write of the previous holder is still open (its `checkFence` holds the row
 * FOR SHARE), so it never overtakes that write.
 */
export async function _takeToken(client: Queryable, id: bigint): Promise<{ token: bigint; table: string }> {
  const take = () =>
    client.query(
      `INSERT INTO ${_TABLE} (key, token) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET token = ${_TABLE}.token + 1 RETURNING token, ${_SCHEMA} AS schema`,
      [id.toString()],
    );
  const { rows } = await take().catch(async (error) => {
    if ((error as { code?: string }).code !== "42P01") throw error; // undefined_table: the first use
    // Two first holders may create it at once: the loser's duplicate errors mean it exists now.
    await client.query(_CREATE).catch((e) => {
      if (!["23505", "42P07"].includes((e as { code?: string }).code!)) throw e;
    });
    return take();
  });
  const row = rows[0] as { token: string | bigint | number; schema: string };
  return { token: BigInt(row.token), table: `${row.schema}.${_TABLE}` };
}

/**
 * Inside a `transaction()` on any connection — the lock's own or another — refuses to go on unless
 * `lock` (taken with `advisoryLock(…, { fence: true })`) is still the latest holder of its key: its
 * token is the one in the table. Then that row stays locked FOR SHARE until the transaction ends,
 * so the next holder cannot take its token — and enter — before this transaction has committed or
 * rolled back. Call it first, before the protected writes; a stale holder gets `code: "EFENCED"`.
 *
 * @example
 * await asyncWith(advisoryLock(pool, "nightly", { fence: true }), async (lock) => {
 *   await asyncWith(transaction(otherClient), async (tx) => {
 *     await checkFence(tx, lock); // a holder whose lock was lost meanwhile stops here
 *     await tx.query("update report set body = $1", [body]);
 *   });
 * });
 */
export async function checkFence(
  tx: Queryable & { readonly depth: number },
  lock: { readonly key: bigint; readonly token: bigint | undefined },
): Promise<void> {
  if (!_isQueryable(tx) || typeof (tx as { depth?: unknown }).depth !== "number")
    throw expected("checkFence() to be given a transaction's tx (inside transaction())", tx);
  if (typeof lock?.token !== "bigint")
    throw expected(
      "checkFence() to be given a lock taken with advisoryLock(…, { fence: true })",
      lock?.token,
      `a lock without a token (${String(lock?.token)})`,
    );
  // The lock's own table; a plain { key, token } (a lock passed on as data) is read through search_path.
  const table = (lock as { [_fenceTable]?: string })[_fenceTable] ?? _TABLE;
  const { rows } = await tx.query(`SELECT token FROM ${table} WHERE key = $1 FOR SHARE`, [lock.key.toString()]);
  const latest = rows.length ? BigInt((rows[0] as { token: string | bigint | number }).token) : undefined;
  if (latest !== lock.token)
    throw Object.assign(
      new Error(
        `Expected fencing token ${lock.token} of advisory lock ${lock.key} to be the latest, got ${latest ?? "none"}: a newer holder took the lock after this one was lost, so this transaction must not write. It rolls back.`,
      ),
      { code: "EFENCED" },
    );
}
