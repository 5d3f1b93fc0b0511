import { describe, expect, it } from "vitest";
import { eitherSignal, untilAborted } from "../src/adapter.js";

describe("eitherSignal", () => {
  it("aborts with the reason of whichever signal aborts, and is either one alone when the other is missing", () => {
    const a = new AbortController();
    const b = new AbortController();
    expect(eitherSignal(a.signal, undefined)).toBe(a.signal);
    expect(eitherSignal(undefined, b.signal)).toBe(b.signal);
    expect(eitherSignal(a.signal, a.signal)).toBe(a.signal);
    const both = eitherSignal(a.signal, b.signal)!;
    const reason = new Error("b gave up");
    b.abort(reason);
    expect(both.aborted).toBe(true);
    expect(both.reason).toBe(reason);
  });
});

describe("untilAborted", () => {
  it("settles as the promise does while the signal stays quiet", async () => {
    const quiet = new AbortController();
    await expect(untilAborted(Promise.resolve(1), quiet.signal)).resolves.toBe(1);
    const error = new Error("own");
    await expect(untilAborted(Promise.reject(error), quiet.signal)).rejects.toBe(error);
    await expect(untilAborted(Promise.resolve(2), undefined)).resolves.toBe(2);
  });

  it("rejects with the signal's reason once it aborts first, and the promise's later rejection stays handled", async () => {
    const controller = new AbortController();
    let fail!: (error: unknown) => void;
    const pending = new Promise((_, reject) => (fail = reject));
    const waiting = untilAborted(pending, controller.signal);
    const reason = new Error("deadline");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    fail(new Error("too late")); // the setup fails the test on an unhandled rejection
    await expect(untilAborted(new Promise(() => {}), AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it("leaves no listener on the signal once settled", async () => {
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const { addEventListener, removeEventListener } = controller.signal;
    controller.signal.addEventListener = (...args: Parameters<typeof addEventListener>) => (
      added++,
      addEventListener.apply(controller.signal, args)
    );
    controller.signal.removeEventListener = (...args: Parameters<typeof removeEventListener>) => (
      removed++,
      removeEventListener.apply(controller.signal, args)
    );
    await untilAborted(Promise.resolve(), controller.signal);
    await untilAborted(Promise.reject(new Error("x")), controller.signal).catch(() => {});
    expect([added, removed]).toEqual([2, 2]);
  });
});
