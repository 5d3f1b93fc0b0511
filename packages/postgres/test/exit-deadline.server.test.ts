// An exit deadline (exitWithin) cuts a release short (#21): the statement a block left running on
// its connection would otherwise hold the ROLLBACK, COMMIT or unlock queued behind it — and the
// lock or transaction with it — for as long as it runs (here: an hour).
import { asyncWith, exitWithin, TimeoutError } from "@asyncwith/core";
import type pg from "pg";
import { expect, it } from "vitest";
import { _cancelRunning } from "../src/_deadline.ts";
import { _key } from "../src/advisory-lock.ts";
import { advisoryLock, connection, transaction } from "../src/index.ts";
import { client, pool } from "./pg.ts";

const HOUR = "SELECT pg_sleep(3600)";

/** Resolves once the session `pid` is running pg_sleep: the leftover statement is on the server. */
async function running(pid: number): Promise<void> {
  const watcher = await client();
  for (;;) {
    const { rows } = await watcher.query("SELECT query FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [
      pid,
    ]);
    if (String(rows[0]?.query).includes("pg_sleep")) return;
  }
}
const pidOf = (c: pg.ClientBase) => (c as unknown as { processID: number }).processID;

it("a failed block's ROLLBACK, queued behind a statement the block left running, runs at the deadline", async () => {
  const c = await client();
  await c.query("drop table if exists cut_short; create table cut_short (n int)");
  const boom = new Error("boom");
  let leftover!: Promise<unknown>;
  const block = asyncWith(exitWithin(100, transaction(c)), async (tx) => {
    await tx.query("insert into cut_short values (1)");
    leftover = tx.query(HOUR);
    await running(pidOf(c));
    throw boom;
  });
  await expect(block).rejects.toBeInstanceOf(TimeoutError);
  await expect(leftover).rejects.toMatchObject({ code: "57014" }); // cancelled on the server
  const { rows } = await c.query("select count(*)::int as n, pg_current_xact_id_if_assigned() as tx from cut_short");
  expect(rows[0]).toEqual({ n: 0, tx: null }); // rolled back, and the connection is out of the transaction
});

it("a successful block's COMMIT behind a left-running statement: the statement is cancelled, nothing is kept", async () => {
  const c = await client();
  await c.query("drop table if exists cut_short; create table cut_short (n int)");
  let leftover!: Promise<unknown>;
  const block = asyncWith(exitWithin(100, transaction(c)), async (tx) => {
    await tx.query("insert into cut_short values (1)");
    leftover = tx.query(HOUR);
    await running(pidOf(c));
  });
  await expect(block).rejects.toBeInstanceOf(TimeoutError);
  await expect(leftover).rejects.toMatchObject({ code: "57014" });
  const { rows } = await c.query("select count(*)::int as n, pg_current_xact_id_if_assigned() as tx from cut_short");
  expect(rows[0]).toEqual({ n: 0, tx: null }); // the COMMIT found the transaction failed: a rollback
});

it("advisoryLock(pool): at the deadline the holding session is ended, so the lock is free at once", async () => {
  const p = pool(2);
  const block = asyncWith(exitWithin(100, advisoryLock(p, "cut-short-pool")), async ({ client: held }) => {
    held.query(HOUR).catch(() => {}); // left running: the unlock waits behind it
    await running(pidOf(held));
  });
  await expect(block).rejects.toBeInstanceOf(TimeoutError);
  expect(p.totalCount).toBe(0); // the connection was destroyed, not returned
  const other = await client();
  await other.query("SELECT pg_advisory_lock($1::bigint)", [_key("cut-short-pool").toString()]);
});

it("advisoryLock(client): at the deadline the left-running statement is cancelled and the unlock runs", async () => {
  const c = await client();
  let leftover!: Promise<unknown>;
  const block = asyncWith(exitWithin(100, advisoryLock(c, "cut-short-client")), async () => {
    leftover = c.query(HOUR);
    await running(pidOf(c));
  });
  await expect(block).rejects.toBeInstanceOf(TimeoutError);
  await expect(leftover).rejects.toMatchObject({ code: "57014" });
  const other = await client();
  await other.query("SELECT pg_advisory_lock($1::bigint)", [_key("cut-short-client").toString()]); // released
  expect((await c.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]); // and the caller's connection lives on
});

it("a deadline's cancel spares a statement that started after the abort: the caller's next one, after an abandoned exit", async () => {
  const c = await client();
  const leftover = c.query(HOUR);
  await running(pidOf(c));
  // An abort a minute ago: the statement running now started after it, so it is not the one to cancel.
  expect(await _cancelRunning(c, false, performance.now() - 60_000)).toBe(false);
  // An abort a minute from now: the statement running now started before it, and is cancelled.
  expect(await _cancelRunning(c, false, performance.now() + 60_000)).toBe(true);
  await expect(leftover).rejects.toMatchObject({ code: "57014" });
  expect((await c.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
});

it("connection(pool): at the deadline, a reset the server does not answer is given up and the session destroyed", async () => {
  const p = pool(1);
  let backend = 0;
  const block = asyncWith(exitWithin(100, connection(p)), async (c) => {
    backend = pidOf(c);
    process.kill(backend, "SIGSTOP"); // the server goes silent: the exit's reset gets no answer
  });
  try {
    await expect(block).rejects.toBeInstanceOf(TimeoutError);
    await expect.poll(() => p.totalCount).toBe(0); // destroyed, never handed back to the pool
  } finally {
    process.kill(backend, "SIGCONT");
  }
  const again = await p.connect(); // the pool goes on with a fresh session
  expect((await again.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  again.release();
});
