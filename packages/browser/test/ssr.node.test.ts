// The package must load where there is no browser (SSR, Node, tests): nothing is looked up at import.
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";

describe("in Node (no browser globals)", () => {
  it("imports the built ESM and CJS entries without touching a browser global", async () => {
    expect("navigator" in globalThis && "locks" in (globalThis.navigator as object)).toBe(false);
    expect("indexedDB" in globalThis).toBe(false);
    const esm = await import("../dist/index.js");
    const { createRequire } = await import("node:module");
    const cjs = createRequire(import.meta.url)("../dist/index.cjs");
    expect(Object.keys(esm).sort()).toEqual([
      "EarlyCommitError",
      "abortScope",
      "broadcastChannel",
      "objectURL",
      "openDatabase",
      "transaction",
      "webLock",
    ]);
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
  });

  it("creates managers freely, and fails clearly on entering one whose API is missing", async () => {
    const { openDatabase, webLock } = await import("../dist/index.js");
    const lock = webLock("x");
    await expect(asyncWith(lock, () => {})).rejects.toThrow(
      "Expected navigator.locks (the Web Locks API) in this runtime, got none: @asyncwith/browser needs a browser (in Node use @asyncwith/node, on Workers @asyncwith/edge)",
    );
    await expect(asyncWith(openDatabase("db"), () => {})).rejects.toThrow(
      "Expected indexedDB in this runtime, got none",
    );
  });

  it("abortScope works anywhere AbortController does", async () => {
    const { abortScope } = await import("../dist/index.js");
    const signal = await asyncWith(abortScope(), (signal) => signal);
    expect(signal.aborted).toBe(true);
  });
});
