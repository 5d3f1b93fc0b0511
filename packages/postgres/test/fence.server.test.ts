// Fencing tokens across sessions (#22): a holder whose lock was lost cannot write after the next
// holder entered, even from another connection — PostgreSQL itself checks the token, and the next
// holder's enter waits for a fenced write still open.
import { asyncWith } from "@asyncwith/core";
import { expect, it } from "vitest";
import { _key } from "../src/advisory-lock.ts";
import { advisoryLock, checkFence, transaction } from "../src/index.ts";
import { client, pool } from "./pg.ts";

const pidOf = async (c: { query(text: string): Promise<{ rows: unknown[] }> }) =>
  ((await c.query("select pg_backend_pid() as pid")).rows[0] as { pid: number }).pid;

/** Resolves once some session waits on a row lock while raising the token (the next holder's enter). */
async function raiseWaiting(admin: Awaited<ReturnType<typeof client>>): Promise<void> {
  for (;;) {
    const { rows } = await admin.query(
      "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like 'INSERT INTO asyncwith_fence%'",
    );
    if ((rows[0] as { n: number }).n > 0) return;
  }
}

it("a holder whose session died is fenced out of writes on another connection; the next holder writes", async () => {
  const p = pool(3);
  const [admin, elsewhere] = [await client(), await client()];
  await admin.query("drop table if exists fenced_rows; create table fenced_rows (who text)");
  const write = (lock: { key: bigint; token: bigint | undefined }, who: string) =>
    asyncWith(transaction(elsewhere), async (tx) => {
      await checkFence(tx, lock);
      await tx.query("insert into fenced_rows values ($1)", [who]);
    });
  const stale = asyncWith(advisoryLock(p, "fence-across", { fence: true }), async (lock) => {
    await admin.query("select pg_terminate_backend($1, 10000)", [await pidOf(lock.client)]); // the lock is lost
    const next = await asyncWith(advisoryLock(p, "fence-across", { fence: true }), async (newer) => {
      await write(newer, "newer");
      return newer.token;
    });
    expect(next).toBeGreaterThan(lock.token!);
    await expect(write(lock, "stale")).rejects.toMatchObject({ code: "EFENCED" });
  });
  await expect(stale).rejects.toMatchObject({ code: "ELOCKLOST" });
  expect((await admin.query("select who from fenced_rows")).rows).toEqual([{ who: "newer" }]);
});

it("the next holder's enter waits until a fenced write of the previous holder has ended", async () => {
  const p = pool(3);
  const [admin, elsewhere] = [await client(), await client()];
  await admin.query("drop table if exists fenced_rows; create table fenced_rows (who text)");
  const events: string[] = [];
  let next: Promise<unknown> | undefined;
  const stale = asyncWith(advisoryLock(p, "fence-wait", { fence: true }), async (lock) => {
    await asyncWith(transaction(elsewhere), async (tx) => {
      await checkFence(tx, lock); // still the latest: this transaction may write
      await admin.query("select pg_terminate_backend($1, 10000)", [await pidOf(lock.client)]); // lost meanwhile
      next = asyncWith(advisoryLock(p, "fence-wait", { fence: true }), async (newer) => {
        events.push("next holder entered");
        return (await admin.query("select who from fenced_rows")).rows;
      });
      await raiseWaiting(admin); // the next holder holds the lock, and waits to raise the token
      await tx.query("insert into fenced_rows values ('stale, checked before the next holder')");
      events.push("stale write committing");
    });
  });
  await expect(stale).rejects.toMatchObject({ code: "ELOCKLOST" });
  expect(await next).toEqual([{ who: "stale, checked before the next holder" }]); // it saw the write: it came after
  expect(events).toEqual(["stale write committing", "next holder entered"]);
});

it("checkFence reads the table the token came from, whatever the checking session's search_path finds first", async () => {
  const [admin, holder, elsewhere] = [await client(), await client(), await client()];
  await admin.query(
    'drop schema if exists "Fence A" cascade; drop schema if exists fence_b cascade; create schema "Fence A"; create schema fence_b',
  );
  const key = _key("fence-schema").toString();
  // Another schema's fence table, with an equal (stale) token for the key: what search_path would find.
  await admin.query("create table fence_b.asyncwith_fence (key bigint primary key, token bigint not null)");
  await admin.query("insert into fence_b.asyncwith_fence values ($1, 1)", [key]);
  await holder.query('set search_path to "Fence A"'); // a name that needs quoting in the check's SQL
  await elsewhere.query("set search_path to fence_b");
  try {
    await asyncWith(advisoryLock(holder, "fence-schema", { fence: true }), async (lock) => {
      expect(lock.token).toBe(1n); // taken in "Fence A"'s table, created there on first use
      await admin.query('update "Fence A".asyncwith_fence set token = 2 where key = $1', [key]); // a newer holder's
      await expect(asyncWith(transaction(elsewhere), (tx) => checkFence(tx, lock))).rejects.toMatchObject({
        code: "EFENCED",
      });
    });
  } finally {
    await admin.query('drop schema "Fence A" cascade; drop schema fence_b cascade');
  }
});
