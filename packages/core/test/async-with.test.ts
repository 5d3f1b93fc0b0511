import { describe, expect, it } from "vitest";
import { aenter, aexit, asyncWith, SuppressedError } from "../src/index.js";
import { disposable, type Log, manager, rejection } from "./fixtures.js";

describe("asyncWith with one manager", () => {
  it("enters, runs the body with the value, exits, and returns the body's result", async () => {
    const log: Log = [];
    const result = await asyncWith(manager(log, "m"), async (value) => {
      log.push(`body ${value}`);
      return 42;
    });
    expect(result).toBe(42);
    expect(log).toEqual(["enter m", "body m", "exit m"]);
  });

  it("still exits when the body throws, and rethrows the very same error", async () => {
    const log: Log = [];
    const boom = new Error("boom");
    const error = await rejection(asyncWith(manager(log, "m"), () => Promise.reject(boom)));
    expect(error).toBe(boom);
    expect(log).toEqual(["enter m", "exit m (boom)"]);
    expect(Object.hasOwn(boom, "cause")).toBe(false);
  });

  it("passes thrown undefined to the exit as { error: undefined } and rethrows undefined", async () => {
    const seen: unknown[] = [];
    const m = { [aenter]() {}, [aexit]: (failure?: { error: unknown }) => void seen.push(failure) };
    const error = await rejection(
      asyncWith(m, () => {
        throw undefined;
      }),
    );
    expect(error).toBeUndefined();
    expect(seen).toEqual([{ error: undefined }]);
    expect(Object.hasOwn(seen[0] as object, "error")).toBe(true);
  });

  it("suppresses when the exit returns exactly true, resolving to undefined", async () => {
    const log: Log = [];
    const result = await asyncWith(manager(log, "m", { suppress: true }), () => {
      throw new Error("boom");
    });
    expect(result).toBeUndefined();
    expect(log).toEqual(["enter m", "exit m (boom)"]);
  });

  it.each([1, "yes", {}, Promise.resolve(true)])(
    "does not suppress when the exit returns the truthy non-true %o",
    async (value) => {
      const boom = new Error("boom");
      const m = { [aenter]() {}, [aexit]: () => (value instanceof Promise ? { then: undefined, value } : value) };
      expect(
        await rejection(
          asyncWith(m, () => {
            throw boom;
          }),
        ),
      ).toBe(boom);
    },
  );

  it("suppresses when the exit resolves to true asynchronously", async () => {
    const m = { [aenter]() {}, [aexit]: async () => true };
    await expect(
      asyncWith(m, () => {
        throw new Error("x");
      }),
    ).resolves.toBeUndefined();
  });

  it("lets an exit's own error replace the body's, linking the body's error as a non-enumerable cause", async () => {
    const boom = new Error("boom");
    const exitError = new Error("exit failed");
    const error = await rejection(
      asyncWith(manager([], "m", { exitThrows: exitError }), () => {
        throw boom;
      }),
    );
    expect(error).toBe(exitError);
    expect(exitError.cause).toBe(boom);
    expect(Object.getOwnPropertyDescriptor(exitError, "cause")?.enumerable).toBe(false);
  });

  it("keeps a cause the exit's error already has, and leaves non-extensible errors and non-errors alone", async () => {
    const own = new Error("own", { cause: "mine" });
    expect(
      await rejection(
        asyncWith(manager([], "m", { exitThrows: own }), () => {
          throw new Error("b");
        }),
      ),
    ).toBe(own);
    expect(own.cause).toBe("mine");
    const frozen = Object.freeze(new Error("frozen"));
    expect(
      await rejection(
        asyncWith(manager([], "m", { exitThrows: frozen }), () => {
          throw new Error("b");
        }),
      ),
    ).toBe(frozen);
    expect(Object.hasOwn(frozen, "cause")).toBe(false);
    expect(
      await rejection(
        asyncWith(manager([], "m", { exitThrows: "plain string" }), () => {
          throw new Error("b");
        }),
      ),
    ).toBe("plain string");
  });

  it("leaves the body's error unmodified when the exit rethrows that very value", async () => {
    const boom = new Error("boom");
    const error = await rejection(
      asyncWith(manager([], "m", { exitThrows: boom }), () => {
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(Object.hasOwn(boom, "cause")).toBe(false);
  });

  it("propagates an exit error on the success path without a cause", async () => {
    const exitError = new Error("exit failed");
    expect(await rejection(asyncWith(manager([], "m", { exitThrows: exitError }), () => 1))).toBe(exitError);
    expect(Object.hasOwn(exitError, "cause")).toBe(false);
  });

  it("does not run the body or the exit when the enter throws", async () => {
    const log: Log = [];
    const enterError = new Error("no");
    const error = await rejection(asyncWith(manager(log, "m", { enterThrows: enterError }), () => log.push("body")));
    expect(error).toBe(enterError);
    expect(log).toEqual(["enter m"]);
  });

  it("uses [aenter]/[aexit] when an object also has Symbol.asyncDispose", async () => {
    const log: Log = [];
    const both = Object.assign(manager(log, "m"), { [Symbol.asyncDispose]: async () => void log.push("disposed") });
    await asyncWith(both, () => {});
    expect(log).toEqual(["enter m", "exit m"]);
  });
});

describe("asyncWith with disposables", () => {
  it("gives the object itself and calls Symbol.asyncDispose on exit", async () => {
    const log: Log = [];
    const d = disposable(log, "d");
    await asyncWith(d, (value) => void log.push(`body ${value === d}`));
    expect(log).toEqual(["body true", "dispose d"]);
  });

  it("combines a disposer's error with the body's as SuppressedError(disposerError, bodyError)", async () => {
    const boom = new Error("boom");
    const disposeError = new Error("dispose failed");
    const error = await rejection(
      asyncWith(disposable([], "d", { error: disposeError }), () => {
        throw boom;
      }),
    );
    expect(error).toBeInstanceOf(SuppressedError);
    expect(error).toMatchObject({ error: disposeError, suppressed: boom });
    expect(Object.hasOwn(error as object, "cause")).toBe(false);
  });

  it("wraps even when the disposer throws the very value in flight, as await using does", async () => {
    const boom = new Error("boom");
    const error = await rejection(
      asyncWith(disposable([], "d", { error: boom }), () => {
        throw boom;
      }),
    );
    expect(error).toMatchObject({ error: boom, suppressed: boom });
  });

  it("cannot suppress: a disposer returning true still lets the error through", async () => {
    const boom = new Error("boom");
    const d = { [Symbol.asyncDispose]: async () => true };
    expect(
      await rejection(
        asyncWith(d as unknown as AsyncDisposable, () => {
          throw boom;
        }),
      ),
    ).toBe(boom);
  });

  it("falls back to Symbol.dispose only when Symbol.asyncDispose is null or undefined, reading it once", async () => {
    const log: Log = [];
    let reads = 0;
    const d = {
      get [Symbol.asyncDispose]() {
        reads++;
        return null;
      },
      [Symbol.dispose]: () => void log.push("sync dispose"),
    };
    await asyncWith(d, () => {});
    expect(log).toEqual(["sync dispose"]);
    expect(reads).toBe(1);
  });

  it("rejects a non-callable Symbol.asyncDispose instead of falling back", async () => {
    const d = { [Symbol.asyncDispose]: 42, [Symbol.dispose]: () => {} };
    await expect(asyncWith(d as never, () => {})).rejects.toThrow(
      "Expected Symbol.asyncDispose to be a function, got 42",
    );
  });
});

describe("asyncWith with several managers", () => {
  it("enters left to right, passes the values, exits right to left", async () => {
    const log: Log = [];
    const result = await asyncWith([manager(log, "a"), manager(log, "b"), disposable(log, "c")], ([a, b, c]) => {
      log.push(`body ${a} ${b} ${c.name}`);
      return "done";
    });
    expect(result).toBe("done");
    expect(log).toEqual(["enter a", "enter b", "body a b c", "dispose c", "exit b", "exit a"]);
  });

  it("exits the managers already entered, with the error, when a later one fails to enter", async () => {
    const log: Log = [];
    const nope = new Error("nope");
    const error = await rejection(
      asyncWith([manager(log, "a"), manager(log, "b", { enterThrows: nope }), manager(log, "c")], () =>
        log.push("body"),
      ),
    );
    expect(error).toBe(nope);
    expect(log).toEqual(["enter a", "enter b", "exit a (nope)"]);
  });

  it("lets an outer manager suppress an inner one's enter failure, skipping the body", async () => {
    const log: Log = [];
    const result = await asyncWith(
      [manager(log, "a", { suppress: true }), manager(log, "b", { enterThrows: new Error("nope") })],
      () => log.push("body"),
    );
    expect(result).toBeUndefined();
    expect(log).toEqual(["enter a", "enter b", "exit a (nope)"]);
  });

  it("shows each outer exit the error an inner exit replaced the body's with", async () => {
    const log: Log = [];
    const boom = new Error("boom");
    const replacement = new Error("replaced");
    const error = await rejection(
      asyncWith([manager(log, "a"), manager(log, "b", { exitThrows: replacement })], () => {
        throw boom;
      }),
    );
    expect(error).toBe(replacement);
    expect(replacement.cause).toBe(boom);
    expect(log).toEqual(["enter a", "enter b", "exit b (boom)", "exit a (replaced)"]);
  });

  it("calls the body with [] for no managers", async () => {
    await expect(asyncWith([], (values) => values)).resolves.toEqual([]);
  });
});

describe("asyncWith misuse", () => {
  const shape =
    "Expected an async context manager (with [aenter] and [aexit]) or a disposable (with Symbol.asyncDispose or Symbol.dispose), got";

  it.each([
    [42, "42"],
    [null, "null"],
    [undefined, "undefined"],
    ["db", '"db"'],
    [{}, "an object"],
    [() => {}, "a function"],
  ])("rejects %o with a TypeError that says what was expected and got", async (value, got) => {
    await expect(asyncWith(value as never, () => {})).rejects.toThrow(new TypeError(`${shape} ${got}`));
  });

  it("names a missing [aexit] and never calls [aenter] of a half-implemented manager", async () => {
    let entered = false;
    const half = { [aenter]: () => void (entered = true) };
    await expect(asyncWith(half as never, () => {})).rejects.toThrow(`${shape} an object with [aenter] but no [aexit]`);
    await expect(asyncWith({ [aexit]() {} } as never, () => {})).rejects.toThrow("[aexit] but no [aenter]");
    expect(entered).toBe(false);
  });

  it("rejects a Promise, names it and says how to fix it, and never awaits it", async () => {
    let awaited = false;
    const promise = { then: () => void (awaited = true) };
    const error = await rejection(asyncWith(promise as never, () => {}));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(`${shape} a Promise (did you forget to await it?)`);
    expect(awaited).toBe(false);
  });

  it("validates every manager before entering any", async () => {
    const log: Log = [];
    await expect(asyncWith([manager(log, "a"), 42] as never, () => {})).rejects.toThrow(TypeError);
    expect(log).toEqual([]);
  });

  it("never throws synchronously: misuse comes back as a rejected promise", () => {
    const result = asyncWith(42 as never, () => {});
    expect(result).toBeInstanceOf(Promise);
    return expect(result).rejects.toThrow(TypeError);
  });
});
