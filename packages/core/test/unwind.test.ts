// unwind(): the one loop that runs an exit stack's entries, last in first out. AsyncExitStack's
// tests drive it through the class; these drive the module directly, entry kinds and all.
import { describe, expect, it } from "vitest";
import { aenter, aexit, SuppressedError } from "../src/index.js";
import { ADOPT, CALL, DISPOSE, EXIT, MANAGER, NULL, PY_DISPOSE_SYNC, unwind } from "../src/unwind.js";

describe("unwind", () => {
  it("runs every kind of entry from the top down, then empties the array", async () => {
    const calls: string[] = [];
    const target = { name: "target" };
    const manager = { [aenter]: () => 0, [aexit]: () => void calls.push("manager") };
    const entries: unknown[] = [
      () => calls.push("defer"),
      target,
      function (this: typeof target) {
        calls.push(`dispose ${this.name}`);
      },
      DISPOSE,
      (value: string) => calls.push(`adopt ${value}`),
      "v",
      ADOPT,
      (...args: string[]) => calls.push(`call ${args.join(",")}`),
      ["a", "b"],
      CALL,
      () => calls.push("exit"),
      undefined,
      EXIT,
      manager,
      undefined,
      MANAGER,
    ];
    expect(await unwind(entries, undefined, {})).toBeUndefined();
    expect(calls).toEqual(["manager", "exit", "call a,b", "adopt v", "dispose target", "defer"]);
    expect(entries).toEqual([]);
  });

  it("gives exits the failure in flight; one returning true suppresses it for those below", async () => {
    const error = new Error("block");
    const seen: unknown[] = [];
    const entries: unknown[] = [
      (failure: unknown) => void seen.push(failure),
      undefined,
      EXIT,
      (failure: unknown) => (seen.push(failure), true),
      undefined,
      EXIT,
    ];
    expect(await unwind(entries, { error }, {})).toBeUndefined();
    expect(seen).toEqual([{ error }, undefined]);
  });

  it("a cleanup that throws meets the failure as SuppressedError(new, old); an exit that throws replaces it", async () => {
    const block = new Error("block");
    const cleanup = new Error("cleanup");
    const left = await unwind([() => Promise.reject(cleanup)], { error: block }, {});
    expect(left?.error).toBeInstanceOf(SuppressedError);
    expect((left?.error as SuppressedError).error).toBe(cleanup);
    expect((left?.error as SuppressedError).suppressed).toBe(block);

    // An exit that rethrows the very error it was given changes nothing.
    const same = await unwind(
      [
        (f: { error: unknown }) => {
          throw f.error;
        },
        undefined,
        EXIT,
      ],
      { error: block },
      {},
    );
    expect(same?.error).toBe(block);
  });

  it("with `blind`, exits are told the block failed though nothing is in flight, and that stand-in never escapes", async () => {
    const seen: unknown[] = [];
    const left = await unwind(
      [
        (failure: { error: Error }) => {
          seen.push(failure.error.message);
          throw failure.error; // rethrowing the stand-in is not a new error
        },
        undefined,
        EXIT,
      ],
      undefined,
      { blind: true },
    );
    expect(seen).toEqual([expect.stringMatching(/^disposed without a success mark/)]);
    expect(left).toBeUndefined();
  });

  it("with `rethrow`, rejects with what is left in flight, the very same value", async () => {
    const error = new Error("block");
    await expect(unwind([], { error }, { rethrow: true })).rejects.toBe(error);
  });

  it("ignores what a sync Python disposer returns, and awaits once for a use(null) when nothing else was awaited", async () => {
    const order: string[] = [];
    const target = {};
    const pending = unwind([target, () => ({ then: () => order.push("awaited") }), PY_DISPOSE_SYNC], undefined, {});
    await pending;
    expect(order).toEqual([]);

    const nullOnly = unwind([undefined, undefined, NULL], undefined, {});
    let settled = false;
    void nullOnly.then(() => (settled = true));
    await null;
    expect(settled).toBe(false); // the one await a use(null) costs, as in the spec
    await nullOnly;
  });

  it("unwinds 200,000 entries iteratively: no stack overflow, each run once", async () => {
    let runs = 0;
    const entries = Array.from({ length: 200_000 }, () => () => void runs++);
    await unwind(entries, undefined, {});
    expect(runs).toBe(200_000);
  });
});
