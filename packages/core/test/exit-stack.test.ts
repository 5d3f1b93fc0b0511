import { describe, expect, it } from "vitest";
import { aexit, AsyncExitStack, asyncWith, type Failure, SuppressedError } from "../src/index.js";
import { disposable, label, type Log, manager, rejection } from "./fixtures.js";

const failing = (log: Log, name: string, error: unknown) => () => {
  log.push(name);
  throw error;
};

describe("AsyncExitStack: registering and unwinding", () => {
  it("unwinds every kind of exit last-in first-out", async () => {
    const log: Log = [];
    const stack = new AsyncExitStack();
    stack.defer(() => void log.push("defer"));
    stack.use(disposable(log, "use"));
    stack.adopt("adopted", (v) => void log.push(`adopt ${v}`));
    stack.callback((a: number, b: string) => void log.push(`callback ${a} ${b}`), 1, "x");
    stack.push(() => void log.push("push fn"));
    stack.push(manager(log, "pushed", { async: false }));
    expect(await stack.enterContext(manager(log, "entered"))).toBe("entered");
    await stack.aclose();
    expect(log).toEqual([
      "enter entered",
      "exit entered",
      "exit pushed",
      "push fn",
      "callback 1 x",
      "adopt adopted",
      "dispose use",
      "defer",
    ]);
  });

  it("returns what each method is documented to return", () => {
    const stack = new AsyncExitStack();
    const fn = () => {};
    const d = disposable([], "d");
    expect(stack.callback(fn)).toBe(fn);
    expect(stack.push(fn)).toBe(fn);
    expect(stack.use(d)).toBe(d);
    expect(stack.use(null)).toBeNull();
    expect(stack.use(undefined)).toBeUndefined();
    expect(stack.adopt(7, fn)).toBe(7);
    expect(stack.defer(fn)).toBeUndefined();
  });

  it("calls callback(fn, ...args) as exactly fn(...args), and defer/adopt callbacks with TC39's arguments", async () => {
    const calls: unknown[][] = [];
    const stack = new AsyncExitStack();
    stack.callback(
      function (this: unknown, ...args: unknown[]) {
        calls.push([this, ...args]);
      },
      1,
      undefined,
    );
    stack.defer(function (this: unknown, ...args: unknown[]) {
      calls.push([this, ...args]);
    });
    stack.adopt("v", function (this: unknown, ...args: unknown[]) {
      calls.push([this, ...args]);
    });
    await stack.disposeAsync();
    expect(calls).toEqual([[undefined, "v"], [undefined], [undefined, 1, undefined]]);
  });

  it("registers an entered manager's exit only once its enter succeeded", async () => {
    const log: Log = [];
    const stack = new AsyncExitStack();
    await stack.enterContext(manager(log, "a"));
    await expect(stack.enterContext(manager(log, "b", { enterThrows: new Error("no") }))).rejects.toThrow("no");
    await stack.aclose();
    expect(log).toEqual(["enter a", "enter b", "exit a"]);
  });

  it("push(manager) registers its exit without entering it; push(disposable) its disposer", async () => {
    const log: Log = [];
    const stack = new AsyncExitStack();
    stack.push(manager(log, "m"));
    stack.push(disposable(log, "d"));
    await stack.aclose();
    expect(log).toEqual(["dispose d", "exit m"]);
  });

  it("use() takes a function that is disposable, as the spec's use() does (a function is an object)", async () => {
    const log: Log = [];
    const stack = new AsyncExitStack();
    const fn = Object.assign(() => void log.push("called"), {
      [Symbol.asyncDispose]: async () => void log.push("disposed"),
    });
    expect(stack.use(fn)).toBe(fn);
    await stack.disposeAsync();
    expect(log).toEqual(["disposed"]);
    const native = (globalThis as unknown as { AsyncDisposableStack?: new () => AsyncExitStack }).AsyncDisposableStack;
    if (native) {
      const theirs = new native();
      theirs.use(fn);
      await theirs.disposeAsync();
      expect(log).toEqual(["disposed", "disposed"]); // native agrees where the runtime has it
    }
  });

  it("push() takes a callable manager as a manager, as Python's push_async_exit looks for __aexit__ first", async () => {
    const seen: unknown[] = [];
    const callable = Object.assign((failure?: Failure) => void seen.push(["called", failure]), {
      [aexit]: async (failure?: Failure) => void seen.push(["aexit", failure]),
    });
    const stack = new AsyncExitStack();
    expect(stack.push(callable)).toBe(callable);
    await stack.aclose();
    expect(seen).toEqual([["aexit", undefined]]);
  });

  it("awaits async exits one at a time, in order", async () => {
    const log: Log = [];
    const stack = new AsyncExitStack();
    for (const name of ["a", "b", "c"]) {
      stack.defer(async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 0));
        log.push(`end ${name}`);
      });
    }
    await stack.disposeAsync();
    expect(log).toEqual(["start c", "end c", "start b", "end b", "start a", "end a"]);
  });
});

describe("AsyncExitStack: errors", () => {
  it("keeps unwinding after a disposer throws, nesting SuppressedErrors as await using does", async () => {
    const log: Log = [];
    const [e1, e2, e3] = [new Error("1"), new Error("2"), new Error("3")];
    const stack = new AsyncExitStack();
    stack.defer(failing(log, "first", e1));
    stack.defer(() => void log.push("middle"));
    stack.defer(failing(log, "second", e2));
    stack.defer(failing(log, "third", e3));
    const error = await rejection(stack.disposeAsync());
    expect(log).toEqual(["third", "second", "middle", "first"]);
    expect(error).toBeInstanceOf(SuppressedError);
    expect(error).toMatchObject({ error: e1, suppressed: { error: e2, suppressed: e3 } });
    expect((error as Error).message).toBe("An error was suppressed during disposal");
    expect(Object.hasOwn(error as object, "cause")).toBe(false);
  });

  it("lets an exit that sees the failure replace it, linking the cause, and shows the callbacks below the new one", async () => {
    const seen: unknown[] = [];
    const boom = new Error("boom");
    const replacement = new Error("replacement");
    const stack = new AsyncExitStack();
    stack.push((f?: Failure) => void seen.push(f && label(f.error)));
    stack.push(() => {
      throw replacement;
    });
    const error = await rejection(
      asyncWith(stack, () => {
        throw boom;
      }),
    );
    expect(error).toBe(replacement);
    expect(replacement.cause).toBe(boom);
    expect(seen).toEqual(["replacement"]);
  });

  it("clears the in-flight error for the callbacks below one that suppresses", async () => {
    const seen: unknown[] = [];
    const stack = new AsyncExitStack();
    stack.push((f?: Failure) => void seen.push(f));
    stack.push(() => true);
    const result = await asyncWith(stack, () => {
      throw new Error("boom");
    });
    expect(result).toBeUndefined();
    expect(seen).toEqual([undefined]);
  });

  it("does not let callback/defer/adopt/use suppress", async () => {
    const boom = new Error("boom");
    const stack = new AsyncExitStack();
    stack.callback(() => true);
    stack.defer(() => true);
    expect(
      await rejection(
        asyncWith(stack, () => {
          throw boom;
        }),
      ),
    ).toBe(boom);
  });

  it("makes [aexit] return false when the failure propagates unchanged, true when suppressed", async () => {
    const boom = new Error("boom");
    const rethrowing = new AsyncExitStack();
    rethrowing.push((f?: Failure) => {
      throw f!.error;
    });
    expect(await rethrowing[aexit]({ error: boom })).toBe(false);
    const suppressing = new AsyncExitStack();
    suppressing.push(() => true);
    expect(await suppressing[aexit]({ error: boom })).toBe(true);
    expect(await new AsyncExitStack()[aexit]({ error: boom })).toBe(false);
  });

  it("combines a disposer error with a replaced error in flight", async () => {
    const boom = new Error("boom");
    const replacement = new Error("replacement");
    const late = new Error("late");
    const stack = new AsyncExitStack();
    stack.defer(() => {
      throw late;
    });
    stack.push(() => {
      throw replacement;
    });
    const error = await rejection(
      asyncWith(stack, () => {
        throw boom;
      }),
    );
    expect(error).toMatchObject({ error: late, suppressed: replacement });
    expect(replacement.cause).toBe(boom);
  });

  it("propagates undefined thrown by an exit or a disposer on the success path (found by the property test)", async () => {
    const pushed = new AsyncExitStack();
    pushed.push(() => {
      throw undefined;
    });
    await expect(
      asyncWith(pushed, () => "result").then(
        () => "resolved",
        (e) => ["rejected", e],
      ),
    ).resolves.toEqual(["rejected", undefined]);
    const deferred = new AsyncExitStack();
    deferred.defer(() => {
      throw undefined;
    });
    await expect(
      asyncWith(deferred, () => "result").then(
        () => "resolved",
        (e) => ["rejected", e],
      ),
    ).resolves.toEqual(["rejected", undefined]);
  });

  it("throws a TypeError at once for what cannot be called or disposed", () => {
    const stack = new AsyncExitStack();
    expect(() => stack.push(42 as never)).toThrow(
      new TypeError("Expected push() to be given a function, a manager or a disposable, got 42"),
    );
    expect(() => (stack.callback as (fn: unknown) => unknown)("x")).toThrow(
      new TypeError('Expected callback() to be given a function, got "x"'),
    );
    expect(() => stack.defer(null as never)).toThrow(
      new TypeError("Expected defer() to be given a function, got null"),
    );
    expect(() => stack.adopt(1, {} as never)).toThrow(
      new TypeError("Expected adopt() to be given a function, got an object"),
    );
    expect(() => stack.use({} as never)).toThrow(
      "Expected use() to be given a disposable (with Symbol.asyncDispose or Symbol.dispose), got an object",
    );
    expect(() => stack.use(5 as never)).toThrow(TypeError);
  });
});

describe("AsyncExitStack: state", () => {
  it("is disposed once unwound, by any of the four ways, and then refuses every adding method", async () => {
    const ways = [
      (s: AsyncExitStack) => s.aclose(),
      (s: AsyncExitStack) => s.disposeAsync(),
      (s: AsyncExitStack) => s[Symbol.asyncDispose](),
      (s: AsyncExitStack) => s[aexit](),
    ];
    for (const unwind of ways) {
      const stack = new AsyncExitStack();
      expect(stack.disposed).toBe(false);
      await unwind(stack);
      expect(stack.disposed).toBe(true);
      for (const add of [
        () => stack.use(null),
        () => stack.adopt(1, () => {}),
        () => stack.defer(() => {}),
        () => stack.push(() => {}),
        () => stack.callback(() => {}),
        () => stack.move(),
        () => stack.popAll(),
      ]) {
        expect(add).toThrow(ReferenceError);
      }
      await expect(stack.enterContext(manager([], "m"))).rejects.toThrow(ReferenceError);
    }
  });

  it("checks disposal before the argument, as TC39 does", async () => {
    const stack = new AsyncExitStack();
    await stack.disposeAsync();
    expect(() => stack.defer(42 as never)).toThrow(ReferenceError);
    expect(() => stack.use(42 as never)).toThrow(
      "Expected a live AsyncExitStack for use(), got a disposed one: create a new stack",
    );
  });

  it("names the very method called on a disposed stack in its error", async () => {
    const stack = new AsyncExitStack();
    await stack.aclose();
    expect(() => stack.move()).toThrow("Expected a live AsyncExitStack for move(), got a disposed one");
    expect(() => stack.popAll()).toThrow("Expected a live AsyncExitStack for popAll(), got a disposed one");
  });

  it("runs callbacks once however often it is disposed, even concurrently", async () => {
    let runs = 0;
    const stack = new AsyncExitStack();
    stack.defer(async () => void runs++);
    await Promise.all([stack.disposeAsync(), stack.disposeAsync(), stack[Symbol.asyncDispose]()]);
    await stack.aclose();
    expect(runs).toBe(1);
  });

  it("move() hands every exit to a new stack and marks the original disposed", async () => {
    const log: Log = [];
    const stack = new AsyncExitStack();
    stack.defer(() => void log.push("a"));
    const moved = stack.move();
    expect(stack.disposed).toBe(true);
    expect(moved.disposed).toBe(false);
    await stack.disposeAsync();
    expect(log).toEqual([]);
    await moved.disposeAsync();
    expect(log).toEqual(["a"]);
  });

  it("popAll() hands every exit to a new stack and leaves the original empty and usable", async () => {
    const log: Log = [];
    const stack = new AsyncExitStack();
    stack.defer(() => void log.push("a"));
    const popped = stack.popAll();
    stack.defer(() => void log.push("b"));
    await stack.aclose();
    expect(log).toEqual(["b"]);
    await popped.aclose();
    expect(log).toEqual(["b", "a"]);
  });

  it("exits a manager whose enter finished after the stack was disposed, and says so", async () => {
    const log: Log = [];
    const stack = new AsyncExitStack();
    const entering = stack.enterContext(manager(log, "late"));
    await stack.disposeAsync();
    const error = await rejection(entering);
    expect(error).toBeInstanceOf(ReferenceError);
    expect(log).toEqual([
      "enter late",
      "exit late (The AsyncExitStack was disposed while enterContext() was entering; the manager was exited again.)",
    ]);
  });

  it("has TC39's surface: [Symbol.asyncDispose] is disposeAsync, and a string tag", () => {
    expect(typeof AsyncExitStack.prototype[Symbol.asyncDispose]).toBe("function");
    expect(Object.prototype.toString.call(new AsyncExitStack())).toBe("[object AsyncExitStack]");
  });
});

describe("AsyncExitStack: success is never assumed", () => {
  it("tells exits that see failures that the block failed when disposed by disposeAsync or await using", async () => {
    const seen: unknown[] = [];
    const stack = new AsyncExitStack();
    stack.push((f?: Failure) => void seen.push(f?.error));
    await stack.disposeAsync();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(Error);
    expect((seen[0] as Error).message).toMatch(/disposed without a success mark/);
  });

  it("takes the success path with aclose() as the last statement of an await using block", async () => {
    const seen: unknown[] = [];
    {
      await using stack = new AsyncExitStack();
      stack.push((f?: Failure) => void seen.push(f));
      await stack.aclose();
    }
    expect(seen).toEqual([undefined]);
  });

  it("rolls back, and rethrows the block's own error untouched, when an await using block throws", async () => {
    const seen: unknown[] = [];
    const boom = new Error("boom");
    const run = async () => {
      await using stack = new AsyncExitStack();
      stack.push((f?: Failure) => void seen.push(f === undefined ? "commit" : "rollback"));
      throw boom;
    };
    expect(await rejection(run())).toBe(boom);
    expect(seen).toEqual(["rollback"]);
  });

  it("does not wrap the blind failure into disposer errors", async () => {
    const late = new Error("late");
    const stack = new AsyncExitStack();
    stack.defer(() => {
      throw late;
    });
    stack.push(() => {});
    expect(await rejection(stack.disposeAsync())).toBe(late);
  });
});

describe("AsyncExitStack: scale", () => {
  it.each(["sync", "async"])("unwinds 1,000,000 %s callbacks in order without overflowing the stack", async (kind) => {
    const stack = new AsyncExitStack();
    const order: number[] = [];
    const n = 1_000_000;
    for (let i = 0; i < n; i++) {
      stack.defer(kind === "sync" ? () => void order.push(i) : async () => void order.push(i));
    }
    await stack.disposeAsync();
    expect(order.length).toBe(n);
    expect(order[0]).toBe(n - 1);
    expect(order[n - 1]).toBe(0);
    expect(order.every((v, i) => v === n - 1 - i)).toBe(true);
  });

  it("keeps unwinding through 100,000 throwing callbacks and nests their errors", async () => {
    const stack = new AsyncExitStack();
    const n = 100_000;
    for (let i = 0; i < n; i++)
      stack.defer(() => {
        throw i;
      });
    let error = await rejection(stack.disposeAsync());
    let depth = 0;
    while (error instanceof SuppressedError) {
      expect(error.error).toBe(depth);
      error = error.suppressed;
      depth++;
    }
    expect(depth).toBe(n - 1);
    expect(error).toBe(n - 1);
  });
});

describe("AsyncExitStack: TC39's tick order", () => {
  const tick2 = (log: string[], name: string) =>
    Promise.resolve()
      .then(() => {})
      .then(() => void log.push(name));

  it("a stack holding only null still awaits once before it settles (job 1, dispose, job 2)", async () => {
    const log: string[] = [];
    const stack = new AsyncExitStack();
    stack.use(null);
    await Promise.all([
      tick2(log, "job 1"),
      stack.disposeAsync().then(() => void log.push("dispose")),
      tick2(log, "job 2"),
    ]);
    expect(log).toEqual(["job 1", "dispose", "job 2"]);
  });

  it("awaits a TC39 disposer's result even when it is not a promise; Python's callback() does not", async () => {
    const order = async (register: (stack: AsyncExitStack, log: string[]) => void) => {
      const log: string[] = [];
      const stack = new AsyncExitStack();
      register(stack, log);
      await Promise.all([
        stack.disposeAsync().then(() => void log.push("dispose")),
        Promise.resolve().then(() => void log.push("job")),
      ]);
      return log;
    };
    expect(await order((stack, log) => stack.defer(() => void log.push("defer")))).toEqual(["defer", "job", "dispose"]);
    expect(await order((stack, log) => stack.callback(() => void log.push("callback")))).toEqual([
      "callback",
      "dispose",
      "job",
    ]);
  });

  it("disposeAsync and Symbol.asyncDispose reject (never throw) when called on something that is not a stack", async () => {
    const { disposeAsync } = AsyncExitStack.prototype;
    const dispose = AsyncExitStack.prototype[Symbol.asyncDispose];
    for (const self of [undefined, {}, 42]) {
      let promise: Promise<void> | undefined;
      expect(() => (promise = disposeAsync.call(self as never))).not.toThrow();
      await expect(promise).rejects.toThrow(TypeError);
      await expect(dispose.call(self as never)).rejects.toThrow(
        /^Expected disposeAsync\(\) to be called on an AsyncExitStack, got /,
      );
    }
  });
});
