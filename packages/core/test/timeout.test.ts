import { describe, expect, it } from "vitest";
import { asyncWith, Lock, timeout, TimeoutError, timeoutAt } from "../src/index.js";
import { rejection, untilAborted } from "./fixtures.js";

describe("timeout", () => {
  it("aborts the signal at the deadline and turns the resulting failure into a TimeoutError", async () => {
    let reason: unknown;
    const error = await rejection(
      asyncWith(timeout(1), async (scope) => {
        try {
          await untilAborted(scope.signal);
        } finally {
          reason = scope.signal.reason;
          expect(scope.expired).toBe(true);
        }
      }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).name).toBe("TimeoutError");
    expect((error as Error).cause).toBe(reason);
    expect((reason as Error).name).toBe("TimeoutError");
  });

  it("converts only its own abort: the reason, or an error whose cause chain reaches it — not any AbortError after the deadline", async () => {
    const stranger = new DOMException("someone else's abort", "AbortError");
    expect(
      await rejection(
        asyncWith(timeout(0), async ({ signal }) => {
          await untilAborted(signal).catch(() => {});
          throw stranger;
        }),
      ),
    ).toBe(stranger);
    const wrapped = await rejection(
      asyncWith(timeout(0), async ({ signal }) => {
        await untilAborted(signal).catch(() => {});
        throw new Error("fetch failed", { cause: new Error("socket closed", { cause: signal.reason }) });
      }),
    );
    expect(wrapped).toBeInstanceOf(TimeoutError);
  });

  it("leaves the block's own errors alone, expired or not", async () => {
    const own = new Error("own");
    expect(
      await rejection(
        asyncWith(timeout(1_000), () => {
          throw own;
        }),
      ),
    ).toBe(own);
    expect(
      await rejection(
        asyncWith(timeout(0), async ({ signal }) => {
          await untilAborted(signal).catch(() => {});
          throw own;
        }),
      ),
    ).toBe(own);
  });

  it("returns normally when the block finishes after the deadline without failing", async () => {
    await expect(
      asyncWith(timeout(0), async ({ signal }) => {
        await untilAborted(signal).catch(() => {});
        return "finished anyway";
      }),
    ).resolves.toBe("finished anyway");
  });

  it("has no deadline with null, and reschedule() moves or removes it", async () => {
    await asyncWith(timeout(null), (scope) => {
      expect(scope.deadline).toBeNull();
      expect(scope.signal.aborted).toBe(false);
      const at = performance.now() + 60_000;
      scope.reschedule(at);
      expect(scope.deadline).toBe(at);
      scope.reschedule(null);
      expect(scope.deadline).toBeNull();
    });
    const error = await rejection(
      asyncWith(timeout(60_000), async (scope) => {
        scope.reschedule(performance.now()); // now
        await untilAborted(scope.signal);
      }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it("accepts an absolute deadline with timeoutAt", async () => {
    await expect(
      asyncWith(timeoutAt(performance.now() - 1), ({ signal }) => untilAborted(signal)),
    ).rejects.toBeInstanceOf(TimeoutError);
  });

  it("reports from the inner timeout when the inner one fires", async () => {
    const error = await rejection(
      asyncWith(timeout(60_000), (outer) =>
        asyncWith(timeout(0, { signal: outer.signal }), ({ signal }) => untilAborted(signal)),
      ),
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it("lets an outer timeout report when it fires, the inner passing the failure through", async () => {
    let innerExpired: boolean | undefined;
    const error = await rejection(
      asyncWith(timeout(0), (outer) =>
        asyncWith(timeout(60_000, { signal: outer.signal }), async (inner) => {
          try {
            await untilAborted(inner.signal);
          } finally {
            innerExpired = inner.expired;
          }
        }),
      ),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(innerExpired).toBe(false);
  });

  it("does not turn an outer abort into a TimeoutError", async () => {
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const running = asyncWith(timeout(60_000, { signal: controller.signal }), ({ signal }) => untilAborted(signal));
    controller.abort(reason);
    expect(await rejection(running)).toBe(reason);
  });

  it("rejects at enter with the reason of an already-aborted signal", async () => {
    const reason = new Error("too late");
    expect(await rejection(asyncWith(timeout(1_000, { signal: AbortSignal.abort(reason) }), () => {}))).toBe(reason);
  });

  it("releases a lock entered inside when it fires mid-block", async () => {
    const lock = new Lock();
    await expect(
      asyncWith(timeout(0), ({ signal }) => asyncWith(lock, () => untilAborted(signal))),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(lock.locked).toBe(false);
  });

  it("is single-use, validates its input, and refuses reschedule after expiry", async () => {
    const m = timeout(1_000);
    await asyncWith(m, () => {});
    await expect(asyncWith(m, () => {})).rejects.toThrow("single-use");
    expect(() => timeout("5" as never)).toThrow('Expected timeout(ms) to be a number of milliseconds or null, got "5"');
    await expect(
      asyncWith(timeout(0), async (scope) => {
        await untilAborted(scope.signal).catch(() => {});
        scope.reschedule(null);
      }),
    ).rejects.toThrow("Expected a running timeout to reschedule, got one that already expired");
  });
});
