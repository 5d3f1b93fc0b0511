import { describe, expect, it } from "vitest";
import { aenter, aexit, type AsyncContextManager, asyncWith, contextManager } from "../src/index.js";
import { label, type Log, rejection } from "./fixtures.js";

/** A generator manager that logs, and handles the block's error as `onError` says. */
const logged = (
  log: Log,
  onError: "rethrow" | "swallow" | "replace" | "finally-only" = "rethrow",
  suppresses = onError === "swallow",
) =>
  contextManager(
    async function* (name: string) {
      log.push(`enter ${name}`);
      try {
        yield name.toUpperCase();
        log.push(`exit ${name}`);
      } catch (error) {
        log.push(`caught ${label(error)}`);
        if (onError === "rethrow") throw error;
        if (onError === "replace") throw new Error("replaced");
      } finally {
        log.push("finally");
      }
    },
    { suppresses },
  );

describe("contextManager", () => {
  it("gives the first yielded value and runs the code after the yield on exit", async () => {
    const log: Log = [];
    const result = await asyncWith(logged(log)("db"), (value) => {
      log.push(`body ${value}`);
      return "result";
    });
    expect(result).toBe("result");
    expect(log).toEqual(["enter db", "body DB", "exit db", "finally"]);
  });

  it("throws the block's error in at the yield; rethrowing it propagates the very same value", async () => {
    const log: Log = [];
    const boom = new Error("boom");
    const error = await rejection(
      asyncWith(logged(log)("db"), () => {
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(Object.hasOwn(boom, "cause")).toBe(false);
    expect(log).toEqual(["enter db", "caught boom", "finally"]);
  });

  it("makes [aexit] return false, not throw, when the generator rethrows the error it was given", async () => {
    const m = logged([])("x");
    await m[aenter]();
    const boom = new Error("boom");
    await expect(m[aexit]({ error: boom })).resolves.toBe(false);
  });

  it("suppresses the error when the generator catches it and finishes", async () => {
    const log: Log = [];
    const result = await asyncWith(logged(log, "swallow")("db"), () => {
      throw new Error("boom");
    });
    expect(result).toBeUndefined();
    expect(log).toEqual(["enter db", "caught boom", "finally"]);
  });

  it("refuses to suppress without being declared to: a TypeError that says how, with the block's error as cause", async () => {
    const log: Log = [];
    const boom = new Error("boom");
    const error = await rejection(
      asyncWith(logged(log, "swallow", false)("db"), () => {
        throw boom;
      }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      "generator suppressed an error undeclared: use contextManager(fn, { suppresses: true })",
    ); // anonymous: "generator"
    expect((error as Error).cause).toBe(boom);
    expect(log).toEqual(["enter db", "caught boom", "finally"]); // its clean-up ran
  });

  it("lets the generator replace the error with another, linking the original as cause", async () => {
    const boom = new Error("boom");
    const error = await rejection(
      asyncWith(logged([], "replace")("db"), () => {
        throw boom;
      }),
    );
    expect((error as Error).message).toBe("replaced");
    expect((error as Error).cause).toBe(boom);
  });

  it("throws thrown undefined in at the yield and propagates undefined", async () => {
    const seen: unknown[] = [];
    const m = contextManager(async function* () {
      try {
        yield;
      } catch (error) {
        seen.push(error);
        throw error;
      }
    });
    expect(
      await rejection(
        asyncWith(m(), () => {
          throw undefined;
        }),
      ),
    ).toBeUndefined();
    expect(seen).toEqual([undefined]);
  });

  it("propagates an error raised before the yield, running no exit", async () => {
    const log: Log = [];
    const m = contextManager(async function* () {
      log.push("enter");
      throw new Error("cannot connect");
      yield; // unreachable, but makes this a generator
    });
    await expect(asyncWith(m(), () => log.push("body"))).rejects.toThrow("cannot connect");
    expect(log).toEqual(["enter"]);
  });

  it("forwards arguments and this", async () => {
    const owner = {
      prefix: "p",
      scoped: contextManager(async function* (this: { prefix: string }, a: number, b: number) {
        yield `${this.prefix}${a + b}`;
      }),
    };
    await expect(asyncWith(owner.scoped(1, 2), (v) => v)).resolves.toBe("p3");
  });
});

describe("contextManager protocol errors", () => {
  it("says generator didn't yield", async () => {
    const m = contextManager(async function* () {});
    await expect(asyncWith(m(), () => {})).rejects.toThrow(new TypeError("generator didn't yield"));
  });

  it("says generator didn't stop, and closes the generator so its finally runs", async () => {
    const log: Log = [];
    const m = contextManager(async function* () {
      try {
        yield 1;
        yield 2;
      } finally {
        log.push("finally");
      }
    });
    await expect(asyncWith(m(), () => {})).rejects.toThrow(new TypeError("generator didn't stop"));
    expect(log).toEqual(["finally"]);
  });

  it("says generator didn't stop after throw(), closes it, and links the block's error", async () => {
    const log: Log = [];
    const boom = new Error("boom");
    const m = contextManager(async function* () {
      try {
        yield 1;
      } catch {
        yield 2;
      } finally {
        log.push("finally");
      }
    });
    const error = await rejection(
      asyncWith(m(), () => {
        throw boom;
      }),
    );
    expect(error).toEqual(new TypeError("generator didn't stop after throw()"));
    expect((error as Error).cause).toBe(boom);
    expect(log).toEqual(["finally"]);
  });

  it("refuses a second enter of the same instance, saying it is single-use", async () => {
    const m = logged([])("x");
    await asyncWith(m, () => {});
    await expect(asyncWith(m, () => {})).rejects.toThrow(
      new TypeError(
        "Expected a fresh contextManager() manager, got one already entered: managers are single-use, call contextManager() again",
      ),
    );
  });

  it("refuses an exit without a successful enter: never entered, already exited, or failed to enter", async () => {
    const notEntered = new TypeError("not entered: [aexit] needs a successful [aenter] first");
    const migrate = contextManager(async function* migrate() {
      yield 1;
    });
    await expect(migrate()[aexit]()).rejects.toThrow(notEntered);
    const used = migrate();
    await asyncWith(used, () => {});
    await expect(used[aexit]()).rejects.toThrow(notEntered);
    const broken = contextManager(function () {
      throw new Error("no generator");
    } as never);
    const failed = (broken as () => AsyncContextManager)();
    await expect(failed[aenter]()).rejects.toThrow("no generator");
    await expect(failed[aexit]()).rejects.toThrow(notEntered);
  });

  it("names a named generator in every protocol error", async () => {
    const quiet = contextManager(async function* migrate() {});
    await expect(asyncWith(quiet(), () => {})).rejects.toThrow(new TypeError("migrate() didn't yield"));
    const twice = contextManager(async function* migrate() {
      yield 1;
      yield 2;
    });
    await expect(asyncWith(twice(), () => {})).rejects.toThrow(new TypeError("migrate() didn't stop"));
    const once = twice();
    await asyncWith(once, () => {}).catch(() => {});
    await expect(asyncWith(once, () => {})).rejects.toThrow(
      new TypeError(
        "Expected a fresh migrate() manager, got one already entered: managers are single-use, call migrate() again",
      ),
    );
    const swallowing = contextManager(async function* migrate() {
      try {
        yield 1;
      } catch {}
    });
    await expect(asyncWith(swallowing(), () => Promise.reject(new Error("x")))).rejects.toThrow(
      "migrate() suppressed an error undeclared: use contextManager(fn, { suppresses: true })",
    );
  });

  it("refuses an exit without an enter", async () => {
    await expect(logged([])("x")[aexit]()).rejects.toThrow(TypeError);
  });

  it.each([
    [42, "42"],
    [undefined, "undefined"],
    [function* () {}, "a sync generator function: write async function* and yield the value"],
    [async () => {}, "an async function: write async function* and yield the value"],
  ])("rejects %o at once with a TypeError", (fn, got) => {
    expect(() => contextManager(fn as never)).toThrow(
      new TypeError(`Expected an async generator function (async function*), got ${got}`),
    );
  });

  it.each([
    [() => 42, "42"],
    [() => Promise.resolve(), "a Promise (did you forget to await it?)"],
    [
      function () {
        return (function* () {})();
      },
      "a sync generator: write async function*",
    ],
  ])("checks at enter that the function returned an async generator (%o)", async (fn, got) => {
    const m = contextManager(fn as never)();
    await expect(asyncWith(m, () => {})).rejects.toThrow(
      new TypeError(`Expected an async generator from the contextManager() function, got ${got}`),
    );
  });
});
