import { asyncWith, timeout, TimeoutError } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { webLock } from "../src/index.ts";

const unique = () => `lock-${crypto.randomUUID()}`;
const heldNames = async () => ((await navigator.locks.query()).held ?? []).map((l) => l.name);
const boom = () => new Error("boom");

describe("webLock (real navigator.locks in Chromium)", () => {
  it("holds the lock for exactly the block", async () => {
    const name = unique();
    const granted = await asyncWith(webLock(name), async ({ lock, signal }) => {
      expect(await heldNames()).toContain(name);
      expect(signal.aborted).toBe(false);
      return lock;
    });
    expect(granted).toMatchObject({ name, mode: "exclusive" });
    expect(await heldNames()).not.toContain(name);
  });

  it("is released when the block throws, and the very same error surfaces", async () => {
    const name = unique();
    const error = boom();
    await expect(asyncWith(webLock(name), () => Promise.reject(error))).rejects.toBe(error);
    expect(await heldNames()).not.toContain(name);
  });

  it("is released when core's timeout cancels the block", async () => {
    const name = unique();
    const result = asyncWith(timeout(1), ({ signal }) =>
      asyncWith(
        webLock(name),
        () =>
          new Promise((_, reject) => {
            if (signal.aborted) reject(signal.reason); // the deadline may pass while the lock is granted
            signal.addEventListener("abort", () => reject(signal.reason));
          }),
      ),
    );
    await expect(result).rejects.toMatchObject({ name: "TimeoutError" });
    expect(await heldNames()).not.toContain(name);
  });

  it("serialises blocks on one name: the second enters only after the first exited", async () => {
    const name = unique();
    const events: string[] = [];
    const block = (id: string) =>
      asyncWith(webLock(name), async () => {
        events.push(`${id} in`);
        await navigator.locks.query(); // a real await inside the block
        events.push(`${id} out`);
      });
    await Promise.all([block("a"), block("b"), block("c")]);
    expect(events).toEqual(["a in", "a out", "b in", "b out", "c in", "c out"]);
  });

  it("with ifAvailable gives lock: null when it is taken, and the lock when it is free", async () => {
    const name = unique();
    await asyncWith(webLock(name), async () => {
      expect(await asyncWith(webLock(name, { ifAvailable: true }), ({ lock }) => lock)).toBeNull();
    });
    expect(await asyncWith(webLock(name, { ifAvailable: true }), ({ lock }) => lock?.name)).toBe(name);
  });

  it("a steal aborts the holder's signal, and the holder's exit says it did not run exclusively", async () => {
    const name = unique();
    const holder = asyncWith(webLock(name), async ({ signal }) => {
      const thief = asyncWith(webLock(name, { steal: true }), ({ lock }) => lock?.name);
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      expect(signal.reason).toMatchObject({ name: "AbortError" });
      expect(await thief).toBe(name);
    });
    await expect(holder).rejects.toThrow(`The lock "${name}" was stolen while held`);
  });

  it("a waiter gives up with its signal: the enter rejects with the reason", async () => {
    const name = unique();
    await asyncWith(webLock(name), async () => {
      const controller = new AbortController();
      const waiting = asyncWith(webLock(name, { signal: controller.signal }), () => "never");
      const reason = new Error("gave up");
      controller.abort(reason);
      await expect(waiting).rejects.toBe(reason);
    });
  });

  it("a waiter entered under a timeout gives up when it fires: the enter's signal reaches the request", async () => {
    const name = unique();
    await asyncWith(webLock(name), async () => {
      const waiting = asyncWith(timeout(20), ({ signal }) => asyncWith(webLock(name), () => "never", { signal }));
      await expect(waiting).rejects.toBeInstanceOf(TimeoutError); // the holder is still inside: it was the wait that ended
    });
    const controller = new AbortController();
    const reason = new Error("the caller gave up");
    await asyncWith(webLock(name), async () => {
      const waiting = asyncWith(webLock(name), () => "never", { signal: controller.signal });
      controller.abort(reason);
      await expect(waiting).rejects.toBe(reason);
    });
    expect(await asyncWith(webLock(name), ({ lock }) => lock?.name)).toBe(name); // no waiter left holding it
  });

  it("refuses option combinations the API cannot do, at enter, with the reason", async () => {
    const signal = new AbortController().signal;
    await expect(asyncWith(webLock(unique(), { steal: true, signal }), () => {})).rejects.toThrow(
      "Expected webLock() options that can be combined, got signal with steal (there is no wait to abort)",
    );
    await expect(asyncWith(webLock(unique(), { steal: true, ifAvailable: true }), () => {})).rejects.toThrow(
      "got steal with ifAvailable",
    );
    await expect(asyncWith(webLock(unique(), { steal: true, mode: "shared" }), () => {})).rejects.toThrow(
      "got steal with a shared mode",
    );
    await expect(asyncWith(webLock(unique(), { mode: "shard" as never }), () => {})).rejects.toThrow(
      'Expected webLock() options.mode to be "exclusive" or "shared", got "shard"',
    );
    expect(() => webLock(unique(), { steal: "no" as never })).toThrow(
      'Expected webLock() options.steal to be a boolean, got "no"', // the API would read it as true, and steal
    );
    expect(() => webLock(unique(), 5 as never)).toThrow("Expected webLock() options to be an object, got 5");
    expect(() => webLock("-reserved")).toThrow(
      "Expected webLock() to be given a lock name (a string not starting with '-'), got \"-reserved\"",
    );
  });

  it("is single-use, and says so", async () => {
    const manager = webLock(unique());
    await asyncWith(manager, () => {});
    await expect(asyncWith(manager, () => {})).rejects.toThrow(
      "Expected a fresh webLock() manager, got one already entered",
    );
  });

  it("gives the lock up when the page enters the back/forward cache: the waiter enters, the block's signal aborts, its exit says so", async () => {
    const name = unique();
    let waiterIn!: () => void;
    const waiterEntered = new Promise<void>((resolve) => (waiterIn = resolve));
    const holder = asyncWith(webLock(name), async ({ signal }) => {
      const waiter = asyncWith(webLock(name), () => waiterIn());
      // What the browser dispatches when the page goes into the bfcache (Playwright turns the
      // cache off; the event is the browser's signal either way).
      dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true }));
      await waiterEntered; // before: blocked for as long as the page slept in the cache
      expect(signal.reason).toMatchObject({
        name: "AbortError",
        message: `The lock ${JSON.stringify(name)} was released because the page entered the back/forward cache`,
      });
      await waiter;
    });
    await expect(holder).rejects.toThrow(
      `The lock ${JSON.stringify(name)} was released because the page entered the back/forward cache while held, so the block did not run exclusively.`,
    );
  });

  it("keeps the lock on a pagehide that is an unload (not persisted): the browser releases it then", async () => {
    const name = unique();
    await asyncWith(webLock(name), async ({ signal }) => {
      dispatchEvent(new PageTransitionEvent("pagehide", { persisted: false }));
      expect([signal.aborted, await heldNames()]).toEqual([false, expect.arrayContaining([name])]);
    });
  });
});
