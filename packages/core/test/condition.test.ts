import { describe, expect, it } from "vitest";
import { asyncWith, Condition, Lock } from "../src/index.js";
import { rejection } from "./fixtures.js";

describe("Condition", () => {
  it("wakes waiters oldest first and waitFor returns the predicate's truthy result", async () => {
    const cond = new Condition();
    const queue: string[] = [];
    const got: string[] = [];
    const consumers = [1, 2].map((n) =>
      asyncWith(cond, async () => {
        const item = await cond.waitFor(() => queue.shift());
        got.push(`${n}:${item}`);
      }),
    );
    await Promise.resolve();
    for (const item of ["a", "b"]) {
      await asyncWith(cond, () => {
        queue.push(item);
        cond.notify();
      });
    }
    await Promise.all(consumers);
    expect(got).toEqual(["1:a", "2:b"]);
  });

  it("refuses a lock that is not a Lock when made", () => {
    expect(() => new Condition(5 as never)).toThrow("Expected a Lock for new Condition(lock), got 5");
    expect(() => new Condition({} as never)).toThrow("Expected a Lock for new Condition(lock), got an object");
  });

  it("refuses wait and notify outside the lock", async () => {
    const cond = new Condition();
    expect(() => cond.notify()).toThrow("Expected the Condition's lock to be held for notify(), got it unlocked");
    await expect(cond.wait()).rejects.toThrow(TypeError);
  });

  it("holds the lock again when an aborted wait rejects", async () => {
    const cond = new Condition(new Lock());
    const controller = new AbortController();
    const reason = new Error("abort");
    const error = await rejection(
      asyncWith(cond, async () => {
        const waiting = cond.wait({ signal: controller.signal });
        controller.abort(reason);
        try {
          await waiting;
        } finally {
          expect(cond.lock.locked).toBe(true);
        }
      }),
    );
    expect(error).toBe(reason);
    expect(cond.lock.locked).toBe(false);
  });
});
