// advisoryLock() across real sessions: contention, giving up, and the server releasing the lock
// of a session that dies.
import { asyncWith } from "@asyncwith/core";
import { getEventListeners } from "node:events";
import { expect, it } from "vitest";
import { advisoryLock } from "../src/index.ts";
import { client, pool, server } from "./pg.ts";
import { testAdvisoryLock } from "./suites/advisory-lock.ts";

testAdvisoryLock(server); // the same suite PGlite runs (advisory-lock.test.ts), here with pg

const waiting = async (c: Awaited<ReturnType<typeof client>>) =>
  (await c.query("select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted")).rows[0]
    .n as number;

/** Looks again until the server's state is as expected: each look is a round trip. */
const until = async (check: () => Promise<boolean>) => {
  while (!(await check()));
};

it("excludes another session; wait: false fails at once with ELOCKED", async () => {
  const [a, b] = [await client(), await client()];
  await asyncWith(advisoryLock(a, "job"), async () => {
    await expect(asyncWith(advisoryLock(b, "job", { wait: false }), () => {})).rejects.toMatchObject({
      code: "ELOCKED",
    });
  });
  await asyncWith(advisoryLock(b, "job", { wait: false }), () => {}); // free again
});

it("a waiter that gives up (signal): with a pool, its waiting query is cancelled on the server", async () => {
  const holder = await client();
  const p = pool(3);
  const watcher = await client();
  await asyncWith(advisoryLock(holder, 7n), async () => {
    const controller = new AbortController();
    const waiter = asyncWith(advisoryLock(p, 7n, { signal: controller.signal }), () => "never");
    while ((await waiting(watcher)) === 0) await new Promise((r) => setTimeout(r, 5)); // it is queued on the server
    const reason = new Error("gave up");
    controller.abort(reason);
    await expect(waiter).rejects.toBe(reason);
    expect(await waiting(watcher)).toBe(0); // no query left waiting for the lock
  });
});

it("when the holding session dies, the server releases the lock: the next waiter gets it", async () => {
  const [a, b, admin] = [await client(), await client(), await client()];
  a.on("error", () => {}); // its session is about to be terminated, on purpose
  const pid = (await a.query("select pg_backend_pid() as pid")).rows[0].pid;
  const holding = asyncWith(advisoryLock(a, "migration"), () => new Promise(() => {})).catch(() => "the session died");
  while (
    (await admin.query("select count(*)::int as n from pg_locks where locktype = 'advisory' and granted")).rows[0].n ===
    0
  )
    await new Promise((r) => setTimeout(r, 5));
  const next = asyncWith(advisoryLock(b, "migration"), () => "got it");
  await admin.query("select pg_terminate_backend($1)", [pid]); // as if its process were killed
  expect(await next).toBe("got it");
  void holding;
});

it("a waiter that gives up (signal) on one connection: polls with one abort listener at a time, and an abort during a try is not lost", async () => {
  const [holder, waiterClient] = [await client(), await client()];
  const controller = new AbortController();
  const reason = new Error("gave up");
  const listenersSeen: number[] = [];
  let tries = 0;
  // The waiter's connection, watched: each try records the abort listeners left from earlier
  // waits, and the fifth try aborts while the query is in flight.
  const watched = {
    query(text: string, params?: unknown[]) {
      if (text.includes("pg_try_advisory_lock")) {
        listenersSeen.push(getEventListeners(controller.signal, "abort").length);
        if (++tries === 5) controller.abort(reason);
      }
      return waiterClient.query(text, params);
    },
  };
  await asyncWith(advisoryLock(holder, 8n), async () => {
    await expect(
      asyncWith(advisoryLock(watched, 8n, { signal: controller.signal, retryInterval: 1 }), () => "never"),
    ).rejects.toBe(reason);
  });
  expect(tries).toBe(5);
  expect(Math.max(...listenersSeen)).toBe(0);
  await asyncWith(advisoryLock(waiterClient, 8n, { wait: false }), () => {}); // it holds nothing
});

it("the enter's signal (asyncWith(…, { signal })) ends a wait for the lock, and for a pool with no spare connection", async () => {
  const holder = await client();
  const watcher = await client();
  const p = pool(3);
  await asyncWith(advisoryLock(holder, 9n), async () => {
    const controller = new AbortController();
    const waiter = asyncWith(advisoryLock(p, 9n), () => "never", { signal: controller.signal });
    while ((await waiting(watcher)) === 0) await new Promise((r) => setTimeout(r, 5)); // it is queued on the server
    const reason = new Error("the caller's deadline");
    controller.abort(reason);
    await expect(waiter).rejects.toBe(reason);
    expect(await waiting(watcher)).toBe(0);
  });
  const one = pool(1);
  const busy = await one.connect(); // the pool's only connection, checked out
  const controller = new AbortController();
  const waiter = asyncWith(advisoryLock(one, 10n), () => "never", { signal: controller.signal });
  const reason = new Error("no connection came");
  controller.abort(reason);
  await expect(waiter).rejects.toBe(reason);
  busy.release(); // now the waiting connect() gets it: it must go straight back, not be kept
  expect(await asyncWith(advisoryLock(one, 10n, { wait: false }), ({ key }) => key)).toBe(10n);
});

it("fair waiting with a signal: one connection waits in the server's queue (never polls), and an abort still cancels it there", async () => {
  const [holder, first, second, watcher] = [await client(), await client(), await client(), await client()];
  const order: string[] = [];
  await asyncWith(advisoryLock(holder, 11n), async () => {
    const controller = new AbortController();
    const a = asyncWith(advisoryLock(first, 11n, { signal: controller.signal }), () => void order.push("first"));
    await until(async () => (await waiting(watcher)) === 1); // queued on the server before the second
    const b = asyncWith(advisoryLock(second, 11n), () => void order.push("second"));
    await until(async () => (await waiting(watcher)) === 2);
    return { a, b };
  }).then(async ({ a, b }) => Promise.all([a, b]));
  expect(order).toEqual(["first", "second"]); // the waiter with a signal kept its place: first come, first served

  const controller = new AbortController();
  await asyncWith(advisoryLock(holder, 12n), async () => {
    const waiter = asyncWith(advisoryLock(first, 12n, { signal: controller.signal }), () => "never");
    await until(async () => (await waiting(watcher)) === 1);
    const reason = new Error("gave up");
    controller.abort(reason);
    await expect(waiter).rejects.toBe(reason);
    expect(await waiting(watcher)).toBe(0);
  });
});
