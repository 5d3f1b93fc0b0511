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
