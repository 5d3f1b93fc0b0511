// transaction() and connection() against a real PostgreSQL server: the shared suite, then what
// needs several sessions.
import { asyncWith } from "@asyncwith/core";
import { expect, it } from "vitest";
import { connection, retryOnConflict, transaction } from "../src/index.ts";
import { client, pool, server } from "./pg.ts";
import { testTransaction } from "./suites/transaction.ts";

testTransaction(server); // the same suite PGlite runs (transaction.test.ts), here with pg

it("a failed COMMIT (a serialization failure) is the block's error, with its SQLSTATE", async () => {
  const setup = await client();
  await setup.query(
    "drop table if exists doctors; create table doctors (name text primary key, on_call bool not null)",
  );
  await setup.query("insert into doctors values ('alice', true), ('bob', true)");
  const [a, b] = [await client(), await client()];
  // Write skew: each takes one doctor off call if the other is still on call. One must fail.
  const goOff = (c: typeof a, name: string, other: string, ready: Promise<void>, mark: () => void) =>
    asyncWith(transaction(c, { isolation: "serializable" }), async (tx) => {
      const { rows } = await tx.query("select count(*)::int as n from doctors where on_call");
      mark();
      await ready; // both have read before either writes
      if ((rows[0] as { n: number }).n >= 2)
        await tx.query("update doctors set on_call = false where name = $1", [name]);
      void other;
    });
  let markA!: () => void;
  let markB!: () => void;
  const readA = new Promise<void>((r) => (markA = r));
  const readB = new Promise<void>((r) => (markB = r));
  const outcomes = await Promise.allSettled([
    goOff(a, "alice", "bob", readB, markA),
    goOff(b, "bob", "alice", readA, markB),
  ]);
  const failed = outcomes.filter((o) => o.status === "rejected");
  expect(failed).toHaveLength(1);
  expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({ code: "40001" });
  expect((await setup.query("select count(*)::int as n from doctors where on_call")).rows[0].n).toBe(1);
});

it("connection(): released to the pool on success, destroyed on failure (never reused in an unknown state)", async () => {
  const p = pool(2);
  const first = await asyncWith(
    connection(p),
    async (c) => ((await c.query("select pg_backend_pid() as pid")).rows[0] as { pid: number }).pid,
  );
  const again = await asyncWith(
    connection(p),
    async (c) => ((await c.query("select pg_backend_pid() as pid")).rows[0] as { pid: number }).pid,
  );
  expect(again).toBe(first); // the same session, reused
  const error = new Error("mid-transaction");
  await expect(
    asyncWith(connection(p), async (c) => {
      await c.query("begin");
      throw error;
    }),
  ).rejects.toBe(error);
  const after = await asyncWith(
    connection(p),
    async (c) => ((await c.query("select pg_backend_pid() as pid")).rows[0] as { pid: number }).pid,
  );
  expect(after).not.toBe(first); // the failed one was destroyed
});

it("retryOnConflict(): the write-skew loser runs again, sees the winner's commit, and both end well", async () => {
  const setup = await client();
  await setup.query("drop table if exists pilots; create table pilots (name text primary key, on_duty bool not null)");
  await setup.query("insert into pilots values ('ann', true), ('ben', true)");
  const [a, b] = [await client(), await client()];
  let markA!: () => void;
  let markB!: () => void;
  const readA = new Promise<void>((r) => (markA = r));
  const readB = new Promise<void>((r) => (markB = r));
  const tries: string[] = [];
  const goOff = (c: typeof a, name: string, ready: Promise<void>, mark: () => void) =>
    retryOnConflict(
      (attempt) =>
        asyncWith(transaction(c, { isolation: "serializable" }), async (tx) => {
          tries.push(`${name} ${attempt}`);
          const { rows } = await tx.query("select count(*)::int as n from pilots where on_duty");
          mark();
          if (attempt === 1) await ready; // both read before either writes, the first time
          if ((rows[0] as { n: number }).n >= 2)
            await tx.query("update pilots set on_duty = false where name = $1", [name]);
          return (rows[0] as { n: number }).n;
        }),
      { backoff: () => 0 },
    );
  const seen = await Promise.all([goOff(a, "ann", readB, markA), goOff(b, "ben", readA, markB)]);
  expect(tries).toHaveLength(3); // one of them ran twice
  expect(seen.sort()).toEqual([1, 2]); // the retry saw the other's commit
  expect((await setup.query("select count(*)::int as n from pilots where on_duty")).rows[0].n).toBe(1);
});
