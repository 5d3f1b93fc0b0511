// The ESM and CJS builds are two copies of the library; they must agree on symbols and classes.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import * as source from "../src/index.js";

const require = createRequire(import.meta.url);

describe("one protocol across copies", () => {
  it("registers the protocol symbols globally", () => {
    expect(source.aenter).toBe(Symbol.for("asyncwith.aenter"));
    expect(source.aexit).toBe(Symbol.for("asyncwith.aexit"));
  });

  it("shares symbols, SuppressedError and managers between the ESM and CJS builds", async () => {
    const esm = (await import("../dist/index.js")) as unknown as typeof source;
    const cjs = require("../dist/index.cjs") as unknown as typeof source;
    expect(cjs.aenter).toBe(esm.aenter);
    expect(cjs.aexit).toBe(esm.aexit);
    expect(cjs.SuppressedError).toBe(esm.SuppressedError); // one class per realm: the native one, or one shared ponyfill
    const fromCjs = new cjs.SuppressedError(1, 2);
    expect(fromCjs).toBeInstanceOf(esm.SuppressedError);
    expect(new esm.SuppressedError(1, 2)).toBeInstanceOf(cjs.SuppressedError);
    const made = cjs.contextManager(async function* () {
      yield "from cjs";
    });
    await expect(esm.asyncWith(made(), (v) => v)).resolves.toBe("from cjs");
    const stack = new esm.AsyncExitStack();
    await expect(cjs.asyncWith(stack, (s) => s === stack)).resolves.toBe(true);
  });
});

describe("SuppressedError", () => {
  it("is the native class where the runtime has one, else a spec-shaped ponyfill", () => {
    const native = (globalThis as { SuppressedError?: unknown }).SuppressedError;
    if (native) expect(source.SuppressedError).toBe(native);
    else expect(Object.getOwnPropertyNames(globalThis)).not.toContain("SuppressedError"); // no global installed
    const e = new source.SuppressedError("error", "suppressed", "message");
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("SuppressedError");
    expect(e.message).toBe("message");
    expect(new source.SuppressedError(1, 2).message).toBe("");
    expect(Object.getOwnPropertyDescriptor(e, "error")).toEqual({
      value: "error",
      writable: true,
      enumerable: false,
      configurable: true,
    });
    expect(Object.getOwnPropertyDescriptor(e, "suppressed")).toEqual({
      value: "suppressed",
      writable: true,
      enumerable: false,
      configurable: true,
    });
    expect(Object.keys(e)).toEqual([]);
  });

  it("does not claim unrelated errors", () => {
    expect(new Error("x")).not.toBeInstanceOf(source.SuppressedError);
    expect({ error: 1, suppressed: 2 }).not.toBeInstanceOf(source.SuppressedError);
  });

  it("leaves globals alone", () => {
    expect(Object.keys(globalThis).filter((k) => /asyncwith/i.test(k))).toEqual([]);
  });
});
