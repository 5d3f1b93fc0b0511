// The protocol module: what counts as a manager (toManager), TC39's disposer lookup (disposerOf),
// and a disposable seen as a manager (its exit cannot see or suppress the block's error).
import { describe, expect, it } from "vitest";
import { aenter, aexit, SuppressedError } from "../src/index.js";
import { disposerOf, toManager } from "../src/protocol.js";

describe("toManager", () => {
  it("returns a manager itself, untouched and not entered", () => {
    let entered = 0;
    const manager = { [aenter]: () => ++entered, [aexit]: () => false };
    expect(toManager(manager)).toBe(manager);
    expect(entered).toBe(0);
  });

  it("refuses half a manager and says which half is missing", () => {
    expect(() => toManager({ [aenter]: () => 1 })).toThrow(
      /^Expected an async context manager .* got an object with \[aenter\] but no \[aexit\]/,
    );
    expect(() => toManager({ [aexit]: () => false })).toThrow(/got an object with \[aexit\] but no \[aenter\]/);
  });

  it.each([null, undefined, 42, "db", {}, () => {}])("refuses %s with a TypeError that says what it got", (value) => {
    const error = (() => {
      try {
        toManager(value);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^Expected an async context manager \(with \[aenter\] and \[aexit\]\)/);
  });

  it("wraps an async disposable: the block gets the object, the exit awaits its disposer once", async () => {
    const calls: string[] = [];
    const resource = {
      async [Symbol.asyncDispose]() {
        await null;
        calls.push("disposed");
      },
    };
    const manager = toManager(resource);
    expect(await manager[aenter]()).toBe(resource);
    expect(await manager[aexit]()).toBe(false);
    expect(calls).toEqual(["disposed"]);
  });

  it("wraps a sync disposable, ignoring what its disposer returns (as `await using` does)", async () => {
    const thenable = { then: () => calls.push("awaited") };
    const calls: string[] = [];
    const manager = toManager({ [Symbol.dispose]: () => thenable });
    expect(await manager[aexit]()).toBe(false);
    expect(calls).toEqual([]);
  });

  it("a disposer that throws while the block failed: SuppressedError(disposer's, block's); never suppresses", async () => {
    const blockError = new Error("block");
    const disposeError = new Error("dispose");
    const manager = toManager({
      [Symbol.asyncDispose]: () => Promise.reject(disposeError),
    });
    const thrown = await Promise.resolve(manager[aexit]({ error: blockError })).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(SuppressedError);
    expect((thrown as SuppressedError).error).toBe(disposeError);
    expect((thrown as SuppressedError).suppressed).toBe(blockError);
    // Without a failure, the disposer's own error is the very same value.
    await expect(Promise.resolve(manager[aexit]())).rejects.toBe(disposeError);
  });
});

describe("disposerOf (TC39's lookup)", () => {
  it("reads Symbol.asyncDispose first, and Symbol.dispose only when that is null or undefined", () => {
    const asyncDispose = () => {};
    const dispose = () => {};
    expect(disposerOf({ [Symbol.asyncDispose]: asyncDispose, [Symbol.dispose]: dispose })).toEqual([
      asyncDispose,
      false,
    ]);
    expect(disposerOf({ [Symbol.asyncDispose]: null, [Symbol.dispose]: dispose })).toEqual([dispose, true]);
    expect(disposerOf({})).toBeUndefined();
  });

  it("reads the property once (a getter is not asked twice)", () => {
    let reads = 0;
    const target = {
      get [Symbol.asyncDispose]() {
        reads++;
        return () => {};
      },
    };
    disposerOf(target);
    expect(reads).toBe(1);
  });

  it("refuses a disposer that is not a function, naming the symbol", () => {
    expect(() => disposerOf({ [Symbol.asyncDispose]: 1 })).toThrow(
      /^Expected Symbol\.asyncDispose to be a function, got/,
    );
    expect(() => disposerOf({ [Symbol.dispose]: "x" })).toThrow(/^Expected Symbol\.dispose to be a function, got/);
  });
});
