import { env } from "cloudflare:workers";
import { aenter, aexit, asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { DurableLock, durableLock } from "../src/index.ts";

const unique = () => `lock-${crypto.randomUUID()}`;

describe("durableLock (in workerd, a real Durable Object)", () => {
  it("serialises blocks on one name: each enters only after the previous one exited", async () => {
    const name = unique();
    const events: string[] = [];
    const block = (id: string) =>
      asyncWith(durableLock(env.LOCKS, name), async (held) => {
        expect(held.name).toBe(name);
        events.push(`${id} in`);
        await env.DB.prepare("SELECT 1").first(); // real I/O inside the block
        events.push(`${id} out`);
      });
    await Promise.all([block("a"), block("b"), block("c"), block("d")]);
    expect(events).toHaveLength(8);
    for (let i = 0; i < 8; i += 2) expect(events[i + 1]).toBe(events[i]!.replace("in", "out"));
  });

  it("is released when the block throws: the next holder gets it", async () => {
    const name = unique();
    const error = new Error("boom");
    await expect(asyncWith(durableLock(env.LOCKS, name), () => Promise.reject(error))).rejects.toBe(error);
    expect(await asyncWith(durableLock(env.LOCKS, name), (held) => held.name)).toBe(name);
  });

  it("expires after ttl when the holder vanished, and the late holder's exit says so", async () => {
    const name = unique();
    const stub = env.LOCKS.get(env.LOCKS.idFromName(name));
    await stub.fetch("https://durable-lock/acquire?ttl=20", { method: "POST" }); // a holder that never releases
    const next = await asyncWith(durableLock(env.LOCKS, name, { ttl: 60_000 }), (held) => held.expiresAt);
    expect(next).toBeGreaterThan(Date.now());

    const late = asyncWith(durableLock(env.LOCKS, unique(), { ttl: 1 }), async (held) => {
      const other = durableLock(env.LOCKS, held.name);
      await asyncWith(other, () => {}); // gets in once the 1 ms ttl expired
    });
    await expect(late).rejects.toThrow(/expired while held \(ttl 1 ms\)/);
  });

  it("a waiter gives up with the enter's signal: its request is withdrawn, and the next waiter gets the lock", async () => {
    const name = unique();
    const controller = new AbortController();
    const reason = new Error("the caller gave up");
    const order: string[] = [];
    let next: Promise<void> | undefined;
    await asyncWith(durableLock(env.LOCKS, name), async () => {
      const givingUp = asyncWith(durableLock(env.LOCKS, name), () => void order.push("gave up?"), {
        signal: controller.signal,
      });
      next = asyncWith(durableLock(env.LOCKS, name), () => void order.push("next"));
      controller.abort(reason);
      await expect(givingUp).rejects.toBe(reason);
      order.push("holder out");
    });
    await next;
    // The withdrawn waiter never held the lock: the next one got it after the holder, with no ttl to wait out.
    expect(order).toEqual(["holder out", "next"]);
    expect(await asyncWith(durableLock(env.LOCKS, name, { ttl: 60_000 }), (held) => held.name)).toBe(name);
  });

  it("remembers a bounded number of withdrawals whose request never arrives, the oldest forgotten first", async () => {
    expect(DurableLock.remembered).toBe(1024);
    const stub = env.FORGETFUL_LOCKS.get(env.FORGETFUL_LOCKS.idFromName(unique())); // remembers 4
    const post = (path: string) => stub.fetch(`https://durable-lock/${path}`, { method: "POST" });
    const tokens = Array.from({ length: 5 }, () => crypto.randomUUID());
    for (const token of tokens) expect((await post(`cancel?token=${token}`)).status).toBe(202); // never arrived
    // The newest is still refused when it arrives; the oldest, forgotten, is granted (its ttl bounds it).
    expect(await (await post(`acquire?ttl=60000&token=${tokens.at(-1)}`)).json()).toBeNull();
    expect(await (await post(`acquire?ttl=60000&token=${tokens[1]}`)).json()).toBeNull();
    const granted = (await (await post(`acquire?ttl=60000&token=${tokens[0]}`)).json()) as { token: string } | null;
    expect(granted?.token).toBe(tokens[0]);
    expect((await post(`release?token=${tokens[0]}`)).status).toBe(204);
  });

  it("refuses a subclass whose withdrawals bound is not a number, 0 or more", () => {
    class Unbounded extends DurableLock {
      static override remembered = Number.NaN;
    }
    expect(() => new Unbounded({} as never)).toThrow(
      "Expected DurableLock.remembered to be a number, 0 or more, got NaN",
    );
  });

  it("stops waiting for a release at the exit deadline, and says the lock stays held until its lease ends", async () => {
    const name = unique();
    // The lock's own object, except that its answer to the release never comes (a stuck connection).
    const stuck = {
      idFromName: (n: string) => env.LOCKS.idFromName(n),
      get: (id: never) => ({
        fetch: (url: string, init?: RequestInit) =>
          url.includes("/release") ? new Promise<Response>(() => {}) : env.LOCKS.get(id).fetch(url, init),
      }),
    };
    const manager = durableLock(stuck, name, { ttl: 60_000 });
    await manager[aenter]();
    const deadline = new AbortController();
    const exiting = Promise.resolve(manager[aexit](undefined, { signal: deadline.signal }));
    const reason = new Error("exit deadline");
    deadline.abort(reason);
    const error = await exiting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "ETIMEDOUT", cause: reason });
    expect(String((error as Error).message)).toContain(
      "stays held until the release arrives or its lease ends (ttl 60000 ms)",
    );
  });

  it("rejects bad input, saying what it got", () => {
    expect(() => durableLock({} as never, "x")).toThrow(
      "Expected durableLock() to be given a namespace bound to DurableLock, got an object",
    );
    expect(() => durableLock(env.LOCKS, "x", { ttl: 0 })).toThrow(
      "Expected durableLock() options.ttl to be a positive number of milliseconds, got 0",
    );
    expect(() => durableLock(env.LOCKS, "x", 60_000 as never)).toThrow(
      "Expected durableLock() options to be an object, got 60000", // a ttl where the options go
    );
  });
});
