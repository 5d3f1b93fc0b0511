import { asyncWith, enter } from "@asyncwith/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  abortScope,
  broadcastChannel,
  type HeldWebLock,
  objectURL,
  openDatabase,
  transaction,
  webLock,
} from "../src/index.ts";

declare const db: IDBDatabase;

describe("types", () => {
  it("gives each block what it opens", async () => {
    await asyncWith(webLock("x"), (held) => {
      expectTypeOf(held).toEqualTypeOf<HeldWebLock>();
      expectTypeOf(held.lock).toEqualTypeOf<Lock | null>();
    });
    await asyncWith(openDatabase("x", 1), (d) => expectTypeOf(d).toEqualTypeOf<IDBDatabase>());
    await asyncWith(objectURL(new Blob()), (url) => expectTypeOf(url).toEqualTypeOf<string>());
    await asyncWith(broadcastChannel("x"), (c) => expectTypeOf(c).toEqualTypeOf<BroadcastChannel>());
    await asyncWith(abortScope(), (s) => expectTypeOf(s).toEqualTypeOf<AbortSignal>());
  });

  it("turns requests into promises, through stores and indexes", async () => {
    await asyncWith(transaction(db, "s", "readwrite"), async (tx) => {
      expectTypeOf(tx.objectStore("s").get("k")).toEqualTypeOf<Promise<any>>();
      expectTypeOf(tx.objectStore("s").count()).toEqualTypeOf<Promise<number>>();
      expectTypeOf(tx.objectStore("s").put({})).toEqualTypeOf<Promise<IDBValidKey>>();
      expectTypeOf(tx.objectStore("s").index("i").getAllKeys()).toEqualTypeOf<Promise<IDBValidKey[]>>();
      expectTypeOf(tx.mode).toEqualTypeOf<IDBTransactionMode>();
    });
  });

  it("never suppresses: the block's result type is kept; usable with await using via enter()", async () => {
    expectTypeOf(await asyncWith(webLock("x"), () => 1)).toEqualTypeOf<number>();
    await using tx = await enter(transaction(db, "s"));
    expectTypeOf(tx.value.objectStore("s").getAll()).toEqualTypeOf<Promise<any[]>>();
  });

  it("types waitFor's and openDatabase's bounds", async () => {
    await asyncWith(transaction(db, "s", "readwrite"), async (tx) => {
      const n = await tx.waitFor(Promise.resolve(1), { timeout: 5_000, signal: AbortSignal.timeout(1) });
      expectTypeOf(n).toEqualTypeOf<number>();
      // @ts-expect-error a timeout is a number of milliseconds
      void tx.waitFor(Promise.resolve(1), { timeout: "5s" });
    });
    openDatabase("app", 2, { versionchange: "keep", timeout: 1_000, signal: new AbortController().signal });
    // @ts-expect-error "close" or "keep"
    openDatabase("app", 2, { versionchange: "wait" });
  });

  it("rejects wrong arguments at compile time", () => {
    // @ts-expect-error mode must be exclusive or shared
    webLock("x", { mode: "shard" });
    // @ts-expect-error stores are strings
    transaction(db, 1);
  });
});
