import { describe, expect, it } from "vitest";
import { AsyncExitStack, contextManager, enter } from "../src/index.js";
import { disposable, type Log, manager, rejection } from "./fixtures.js";

/** A transaction whose exit commits on success and rolls back on failure. */
const transaction = (log: Log) =>
  contextManager(async function* () {
    log.push("begin");
    try {
      yield { insert: (row: string) => log.push(`insert ${row}`) };
      log.push("commit");
    } catch (error) {
      log.push("rollback");
      throw error;
    }
  });

describe("enter() for await using", () => {
  it("commits when the block marks success with ok()", async () => {
    const log: Log = [];
    {
      await using tx = await enter(transaction(log)());
      tx.value.insert("a");
      tx.ok();
    }
    expect(log).toEqual(["begin", "insert a", "commit"]);
  });

  it("rolls back when the block throws before ok(), and the block's error arrives untouched", async () => {
    const log: Log = [];
    const boom = new Error("boom");
    const run = async () => {
      await using tx = await enter(transaction(log)());
      tx.value.insert("a");
      throw boom;
    };
    const error = await rejection(run());
    expect(error).toBe(boom);
    expect(log).toEqual(["begin", "insert a", "rollback"]);
  });

  it("takes the failure path when the block ends without ok(): success is never assumed", async () => {
    const log: Log = [];
    {
      await using tx = await enter(transaction(log)());
      tx.value.insert("a");
    }
    expect(log).toEqual(["begin", "insert a", "rollback"]);
  });

  it("a disposable entered without ok(): its disposer cannot see the failure path, so its own error comes back as is", async () => {
    const broken = new Error("dispose failed");
    const run = async () => {
      await using _ = await enter({
        [Symbol.asyncDispose]: () => Promise.reject(broken),
      });
    };
    expect(await rejection(run())).toBe(broken);
  });

  it("tells a raw manager's exit that the block failed, with an error that explains why", async () => {
    const log: Log = [];
    {
      await using _ = await enter(manager(log, "m"));
    }
    expect(log).toEqual([
      "enter m",
      "exit m (disposed without a success mark, so exits take the failure path: await using cannot see errors)",
    ]);
  });

  it("lets an exit's replacement error reach await using, which combines it with the block's", async () => {
    const boom = new Error("boom");
    const exitError = new Error("exit failed");
    const run = async () => {
      await using _ = await enter(manager([], "m", { exitThrows: exitError }));
      throw boom;
    };
    const error = await rejection(run());
    // Made by the compiled `await using` (esbuild's helper on Node 20, native on Node 24).
    expect((error as Error).name).toBe("SuppressedError");
    expect(error).toMatchObject({ error: exitError, suppressed: boom });
  });

  it("exits once, and refuses ok() after disposal", async () => {
    const log: Log = [];
    const scope = await enter(manager(log, "m"));
    scope.ok();
    await scope[Symbol.asyncDispose]();
    await scope[Symbol.asyncDispose]();
    expect(log).toEqual(["enter m", "exit m"]);
    expect(() => scope.ok()).toThrow(ReferenceError);
  });

  it("disposes a plain disposable without a failure either way", async () => {
    const log: Log = [];
    {
      await using scope = await enter(disposable(log, "d"));
      expect(scope.value.name).toBe("d");
    }
    expect(log).toEqual(["dispose d"]);
  });

  it("works with an AsyncExitStack: ok() lets its exits see success", async () => {
    const seen: unknown[] = [];
    {
      await using scope = await enter(new AsyncExitStack());
      scope.value.push((f) => void seen.push(f));
      scope.ok();
    }
    expect(seen).toEqual([undefined]);
  });

  it("rejects bad input with the same TypeError as asyncWith", async () => {
    await expect(enter(42 as never)).rejects.toThrow(/^Expected an async context manager .* got 42$/);
  });
});
