// Where a block's boundary meets a pool or a dying session (#22): transaction(pool) refused, pooled
// sessions handed on only clean, locks that know when they are lost, no unhandled 'error' event, and
// a COMMIT whose outcome is unknown saying so.
import { asyncWith } from "@asyncwith/core";
import { expect, it } from "vitest";
import { advisoryLock, connection, transaction } from "../src/index.ts";
import { client, pool } from "./pg.ts";

type Client = Awaited<ReturnType<typeof client>>;
const pidOf = async (c: { query(text: string): Promise<{ rows: unknown[] }> }) =>
  ((await c.query("select pg_backend_pid() as pid")).rows[0] as { pid: number }).pid;
const granted = async (admin: Client, key: bigint) =>
  (
    await admin.query(
      "select count(*)::int as n from pg_locks where locktype = 'advisory' and granted and ((classid::bigint << 32) | objid::bigint) = $1::bigint",
      [key.toString()],
    )
  ).rows[0].n as number;
const until = async (check: () => Promise<boolean>) => {
  while (!(await check())); // each look is a round trip to the server: the wait is for the server's state
};

it("transaction(pool) is refused with an error that names connection(pool)", () => {
  expect(() => transaction(pool() as never)).toThrow(
    /^Expected transaction\(\) to be given one connection .*, got a pool, which runs each statement on whichever session is free: take one for the block with asyncWith\(connection\(pool\)/,
  );
});

it("connection(pool) refuses options it would ignore or misread, saying what it got", () => {
  expect(() => connection(pool(), 5 as never)).toThrow("Expected connection() options to be an object, got 5");
  expect(() => connection(pool(), { reset: "no" as never })).toThrow(
    'Expected connection() options.reset to be true or false, got "no"',
  );
});

it("connection(pool) hands a session on only idle: a block that left a transaction open fails, and nobody inherits it", async () => {
  const p = pool(1);
  await p.query("create table if not exists handed_on (v int)");
  await p.query("truncate handed_on");
  const left = asyncWith(connection(p), async (c) => {
    await c.query("begin");
    await c.query("insert into handed_on values (1)");
  });
  await expect(left).rejects.toThrow(
    /^Expected the connection to be idle when the block ended, got it inside a transaction \(BEGIN without COMMIT or ROLLBACK\)/,
  );
  await asyncWith(connection(p), async (c) => {
    await c.query("insert into handed_on values (2)"); // in autocommit: kept
    expect((c as unknown as { getTransactionStatus(): string }).getTransactionStatus()).toBe("I");
  });
  expect((await p.query("select v from handed_on order by v")).rows).toEqual([{ v: 2 }]);
});

it("connection(pool) resets what a block changed in the session: SETs, session advisory locks, temp tables", async () => {
  const p = pool(1);
  const admin = await client();
  const first = await asyncWith(connection(p), async (c) => {
    await c.query("set statement_timeout = 1234");
    await c.query("select pg_advisory_lock(4242)");
    await c.query("create temp table scratch (v int)");
    return pidOf(c);
  });
  expect(await granted(admin, 4242n)).toBe(0); // not kept by a session idling in the pool
  const seen = await asyncWith(connection(p), async (c) => ({
    pid: await pidOf(c),
    timeout: (await c.query("show statement_timeout")).rows[0].statement_timeout,
    scratch: (await c.query("select to_regclass('pg_temp.scratch') as t")).rows[0].t,
  }));
  expect(seen).toEqual({ pid: first, timeout: "0", scratch: null }); // the same session, clean
});

it("a held lock whose session is terminated: its signal aborts with ELOCKLOST, the exit throws it, and the pooled client's 'error' crashes nothing", async () => {
  const p = pool(2);
  const admin = await client();
  let seen: unknown;
  const block = asyncWith(advisoryLock(p, 77n), async ({ client: c, signal }) => {
    // With a timeout it returns once the backend is gone, its locks released (without, the check
    // below raced the backend's exit, and lost once in CI). No query of the block runs meanwhile.
    await admin.query("select pg_terminate_backend($1, 10000)", [await pidOf(c)]);
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    seen = signal.reason;
    return "finished as if nothing happened";
  });
  await expect(block).rejects.toMatchObject({
    code: "ELOCKLOST",
    message: expect.stringMatching(/^Expected to hold advisory lock 77 for the whole block, got its session gone/),
  });
  expect(seen).toMatchObject({ code: "ELOCKLOST" });
  expect(await granted(admin, 77n)).toBe(0);
  // The pool carries on: the dead session was destroyed, not handed on.
  expect(await asyncWith(advisoryLock(p, 77n, { wait: false }), ({ key }) => key)).toBe(77n);
});

it("a held lock's signal first read after its session died is already aborted, with ELOCKLOST", async () => {
  const p = pool(2);
  const admin = await client();
  let late: AbortSignal | undefined;
  const block = asyncWith(advisoryLock(p, 79n), async (held) => {
    const ended = new Promise((resolve) => held.client.once("end", resolve));
    await admin.query("select pg_terminate_backend($1, 10000)", [await pidOf(held.client)]);
    await ended; // the client saw its session end; the block has not looked at its signal yet
    late = held.signal;
  });
  await expect(block).rejects.toMatchObject({ code: "ELOCKLOST" });
  expect(late?.aborted).toBe(true);
  expect(late?.reason).toMatchObject({ code: "ELOCKLOST" });
});

it("a block that fails because its session died rejects with its own error, not a SuppressedError", async () => {
  const p = pool(2);
  const admin = await client();
  let own: unknown;
  const block = asyncWith(advisoryLock(p, 78n), async ({ client: c }) => {
    const pid = await pidOf(c);
    await admin.query("select pg_terminate_backend($1)", [pid]);
    await c.query("select 1").catch((error) => {
      own = error;
      throw error;
    });
  });
  await expect(block).rejects.toSatisfy((error) => error === own && own !== undefined);
});

it("an unlock the server answers with false is an error (ELOCKLOST): the block did not run under the lock", async () => {
  const c = await client();
  const block = asyncWith(advisoryLock(c, 79n), () => c.query("select pg_advisory_unlock_all()"));
  await expect(block).rejects.toMatchObject({
    code: "ELOCKLOST",
    message: expect.stringMatching(/got the server saying this session did not hold it at the end of the block/),
  });
});

it("one connection cannot hold the same key from two blocks at once (session locks are re-entrant)", async () => {
  const c = await client();
  await asyncWith(advisoryLock(c, 80n), async () => {
    await expect(asyncWith(advisoryLock(c, 80n), () => "both inside")).rejects.toMatchObject({
      code: "ELOCKED",
      message: expect.stringMatching(
        /^Expected advisory lock 80 to be free on this connection, got it held by another block on it:/,
      ),
    });
  });
  expect(await asyncWith(advisoryLock(c, 80n), ({ key }) => key)).toBe(80n); // free again after
});

it("a COMMIT whose answer never comes says its outcome is unknown (SQLSTATE 08007), so nobody retries it blindly", async () => {
  const [c, admin] = [await client(), await client()];
  c.on("error", () => {}); // its session is terminated on purpose
  await admin.query(`
    create table if not exists slow_commit (v int);
    create or replace function slow_commit_check() returns trigger language plpgsql as
      $$ begin perform pg_sleep(30); return null; end $$;
    drop trigger if exists slow_commit_check on slow_commit;
    create constraint trigger slow_commit_check after insert on slow_commit
      deferrable initially deferred for each row execute function slow_commit_check();`);
  const pid = await pidOf(c);
  const block = asyncWith(transaction(c), (tx) => tx.query("insert into slow_commit values (1)"));
  await until(
    async () =>
      (await admin.query("select query from pg_stat_activity where pid = $1 and wait_event = 'PgSleep'", [pid])).rows
        .length === 1,
  ); // the COMMIT is running its deferred check
  await admin.query("select pg_terminate_backend($1)", [pid]);
  await expect(block).rejects.toMatchObject({
    code: "08007",
    message: expect.stringMatching(/^Expected the COMMIT to be answered, got the connection lost first/),
  });
});

it("a statement_timeout the block sets itself, shorter than options.timeout, keeps its own error (not the transaction's TimeoutError)", async () => {
  const c = await client();
  const block = asyncWith(transaction(c, { timeout: 60_000 }), async (tx) => {
    await tx.query("set local statement_timeout = 50");
    await tx.query("select pg_sleep(30)");
  });
  await expect(block).rejects.toMatchObject({ code: "57014", message: expect.stringContaining("statement timeout") });
});

it("transaction(client, { timeout }): the running statement is cancelled on the server, the transaction rolls back, the block rejects with a TimeoutError", async () => {
  const [c, admin] = [await client(), await client()];
  await c.query("create temp table timed (v int)");
  const block = asyncWith(transaction(c, { timeout: 200 }), async (tx) => {
    await tx.query("insert into timed values (1)");
    await tx.query("select pg_sleep(30)");
  });
  await expect(block).rejects.toMatchObject({
    name: "TimeoutError",
    message: expect.stringMatching(/^Expected the transaction to end within its timeout of 200 ms/),
  });
  const { rows } = await admin.query("select state from pg_stat_activity where pid = $1", [await pidOf(c)]);
  expect(rows).toEqual([{ state: "idle" }]); // not sleeping, and not idle in transaction
  expect((await c.query("select count(*)::int as n from timed")).rows[0].n).toBe(0);
});

it("transaction(client, { signal }): an abort cancels the running statement, and the block rejects with the very same reason", async () => {
  const c = await client();
  const controller = new AbortController();
  const reason = new Error("the user went away");
  const block = asyncWith(transaction(c, { signal: controller.signal }), async (tx) => {
    const sleeping = tx.query("select pg_sleep(30)");
    controller.abort(reason);
    await sleeping;
  });
  await expect(block).rejects.toBe(reason);
  expect((await c.query("select 1 as one")).rows).toEqual([{ one: 1 }]); // the connection is usable, out of the transaction
});

it("a transaction whose session dies mid-block rejects with the block's own error, not a SuppressedError of the failed ROLLBACK", async () => {
  const [c, admin] = [await client(), await client()];
  c.on("error", () => {}); // its session is terminated on purpose
  let own: unknown;
  const block = asyncWith(transaction(c), async (tx) => {
    await admin.query("select pg_terminate_backend($1)", [await pidOf(tx)]);
    await tx.query("select 1").catch((error) => {
      own = error;
      throw error;
    });
  });
  await expect(block).rejects.toSatisfy((error) => error === own && own !== undefined);
});
