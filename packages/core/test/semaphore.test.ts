import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asyncWith, BoundedSemaphore, Lock, Semaphore } from "../src/index.js";
import { rejection } from "./fixtures.js";

describe("Lock", () => {
  it("is held for exactly the block and released when the block throws", async () => {
    const lock = new Lock();
    await expect(
      asyncWith(lock, () => {
        expect(lock.locked).toBe(true);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(lock.locked).toBe(false);
  });

  it("serves waiters first come, first served", async () => {
    const lock = new Lock();
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        asyncWith(lock, async () => {
          order.push(n);
          await Promise.resolve();
          order.push(n);
        }),
      ),
    );
    expect(order).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it("refuses a release when not held", () => {
    expect(() => new Lock().release()).toThrow(
      new RangeError(
        "Expected a release() matching an acquire(), got one too many: the Lock is already at its bound of 1",
      ),
    );
  });
});

describe("Semaphore", () => {
  it("serves 10,000 concurrent waiters in order with never more than 3 inside", async () => {
    const sem = new Semaphore(3);
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10_000 }, (_, i) =>
        asyncWith(sem, async () => {
          order.push(i);
          most = Math.max(most, ++inside);
          await Promise.resolve();
          inside--;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(order).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(sem.value).toBe(3);
  });

  it("lets an aborted waiter leave the queue without taking a permit", async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const controller = new AbortController();
    const reason = new Error("gave up");
    const giving = sem.acquire({ signal: controller.signal });
    const next = sem.acquire();
    controller.abort(reason);
    expect(await rejection(giving)).toBe(reason);
    sem.release(); // goes to `next`, not to the aborted waiter
    await next;
    expect(sem.value).toBe(0);
    sem.release();
    expect(sem.value).toBe(1);
  });

  it("rejects at once with the reason of an already-aborted signal", async () => {
    const reason = new Error("already");
    expect(await rejection(new Semaphore(5).acquire({ signal: AbortSignal.abort(reason) }))).toBe(reason);
  });

  it("may be released above its start; a BoundedSemaphore may not", () => {
    const sem = new Semaphore(1);
    sem.release();
    expect(sem.value).toBe(2);
    expect(() => new BoundedSemaphore(2).release()).toThrow(RangeError);
    expect(() => new Semaphore(-1)).toThrow("Expected a whole number of permits (0 or more), got -1");
  });
});

describe("cancel-safety (cpython #90155): random aborts racing grants, as a property", () => {
  type Mode = "none" | "before" | "waiting" | "atGrant" | "holding";
  const actor = fc.record({
    mode: fc.constantFrom<Mode>("none", "before", "waiting", "atGrant", "holding"),
    hold: fc.nat(3),
    start: fc.nat(3),
  });

  it("never leaks a permit and never leaves a waiter stuck", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(actor, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (permits, actors, bounded) => {
          const sem = bounded ? new BoundedSemaphore(permits) : new Semaphore(permits);
          const controllers = actors.map(() => new AbortController());
          const waiting = new Set<number>();
          const ticks = (n: number) =>
            Array.from({ length: n }).reduce<Promise<void>>((p) => p.then(() => {}), Promise.resolve());
          const run = async ({ mode, hold, start }: (typeof actors)[number], i: number) => {
            const controller = controllers[i]!;
            await ticks(start);
            if (mode === "before") controller.abort(new Error(`abort ${i}`));
            if (mode === "waiting") queueMicrotask(() => controller.abort(new Error(`abort ${i}`)));
            waiting.add(i);
            try {
              await sem.acquire({ signal: mode === "none" ? undefined : controller.signal });
            } catch {
              return "aborted";
            } finally {
              waiting.delete(i);
            }
            if (mode === "holding") controller.abort(new Error(`late ${i}`)); // too late: the permit is ours
            await ticks(hold);
            sem.release();
            // A grant and an abort in the same turn: abort everyone still waiting for an "atGrant" race.
            for (const j of waiting) if (actors[j]!.mode === "atGrant") controllers[j]!.abort(new Error(`race ${j}`));
            return "held";
          };
          const outcomes = await Promise.all(actors.map(run)); // a stuck waiter would hang here
          expect(sem.value).toBe(permits);
          expect(sem.locked).toBe(false);
          for (const [i, outcome] of outcomes.entries()) if (actors[i]!.mode === "none") expect(outcome).toBe("held");
        },
      ),
      { numRuns: 500 },
    );
  });
});
