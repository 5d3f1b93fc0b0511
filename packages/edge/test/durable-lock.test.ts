import { env } from "cloudflare:workers";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { durableLock } from "../src/index.ts";

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

  it("rejects bad input, saying what it got", () => {
    expect(() => durableLock({} as never, "x")).toThrow(
      "Expected durableLock() to be given a namespace bound to DurableLock, got an object",
    );
    expect(() => durableLock(env.LOCKS, "x", { ttl: 0 })).toThrow(
      "Expected durableLock() options.ttl to be a positive number of milliseconds, got 0",
    );
  });
});
