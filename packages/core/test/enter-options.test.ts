// Cancellable enters, by protocol: `[aenter]` receives `{ signal }`, and asyncWith, enterContext and
// enter() pass it. A lock, a semaphore or a condition waiting in its enter gives up when it aborts;
// a timeout or move-on scope hands its signal to the blocks inside it.
import { describe, expect, it } from "vitest";
import {
  aenter,
  aexit,
  AsyncExitStack,
  asyncWith,
  concurrently,
  Condition,
  contextManager,
  Event,
  type EnterOptions,
  enter,
  enterOptions,
  exitOptions,
  exitWithin,
  Lock,
  moveOnAfter,
  moveOnAt,
  resource,
  Semaphore,
  TaskGroup,
  timeout,
  timeoutAt,
  TimeoutError,
} from "../src/index.js";
import { rejection } from "./fixtures.js";

/** A manager that records the options its enter was given. */
const recorder = () => {
  const seen: (EnterOptions | undefined)[] = [];
  return { seen, manager: { [aenter]: (options?: EnterOptions) => void seen.push(options), [aexit]: () => false } };
};

describe("the lifecycle passes the enter's options", () => {
  it("asyncWith, its array form, enterContext and enter() give [aenter] the signal", async () => {
    const { signal } = new AbortController();
    const a = recorder();
    const b = recorder();
    await asyncWith(a.manager, () => {}, { signal });
    await asyncWith([a.manager, b.manager], () => {}, { signal });
    await asyncWith(new AsyncExitStack(), (stack) => stack.enterContext(a.manager, { signal }));
    const handle = await enter(b.manager, { signal });
    handle.ok();
    await handle[Symbol.asyncDispose]();
    expect(a.seen.map((o) => o?.signal)).toEqual([signal, signal, signal]);
    expect(b.seen.map((o) => o?.signal)).toEqual([signal, signal]);
  });

  it("an already aborted signal enters nothing: the block rejects with its reason, the very same value", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    controller.abort(reason);
    const { seen, manager } = recorder();
    let ran = false;
    expect(await rejection(asyncWith(manager, () => void (ran = true), { signal: controller.signal }))).toBe(reason);
    expect(await rejection(enter(manager, { signal: controller.signal }))).toBe(reason);
    expect([seen, ran]).toEqual([[], false]);
  });

  it("resource() hands the options to its enter; concurrently() and exitWithin() pass them on", async () => {
    const { signal } = new AbortController();
    const got: (AbortSignal | undefined)[] = [];
    await asyncWith(
      resource(
        ({ signal }) => void got.push(signal),
        () => {},
      ),
      () => {},
      { signal },
    );
    const inner = recorder();
    await asyncWith(concurrently([inner.manager, exitWithin(1_000, inner.manager)]), () => {}, { signal });
    expect(got).toEqual([signal]);
    expect(inner.seen.map((o) => o?.signal)).toEqual([signal, signal]);
  });
});

describe("locks give up waiting in their enter", () => {
  it.each([
    ["Lock", () => new Lock()],
    ["Semaphore", () => new Semaphore(1)],
    ["Condition", () => new Condition()],
  ] as const)(
    "a %s held elsewhere: an abort rejects the waiting block with its reason, takes nothing, runs no body",
    async (_name, make) => {
      const lock = make();
      await lock[aenter]();
      const controller = new AbortController();
      const reason = new Error("gave up");
      let ran = false;
      const waiting = asyncWith(lock, () => void (ran = true), { signal: controller.signal });
      controller.abort(reason);
      expect(await rejection(waiting)).toBe(reason);
      expect(ran).toBe(false);
      // The holder's release goes to nobody: the next enter gets the lock at once.
      lock[aexit]();
      expect(await asyncWith(lock, () => "next")).toBe("next");
    },
  );

  it("a lock entered under a timeout: the deadline ends the wait with a TimeoutError (the issue's 1 s wait)", async () => {
    const lock = new Lock();
    await lock[aenter](); // held for longer than the timeout
    let ran = false;
    const error = await rejection(
      asyncWith(timeout(1), ({ signal }) => asyncWith(lock, () => void (ran = true), { signal })),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(ran).toBe(false);
    expect(lock.locked).toBe(true); // still the holder's
  });

  it("a semaphore with no permit entered under a move-on scope: the block moves on (it never settled before)", async () => {
    let ran = false;
    const result = await asyncWith(moveOnAfter(1), ({ signal }) =>
      asyncWith(new Semaphore(0), () => void (ran = true), { signal }),
    );
    expect([result, ran]).toEqual([undefined, false]);
  });
});

describe("contextManager generators read their step's options: enterOptions() and exitOptions()", () => {
  it("enterOptions() gives the enter's signal: a generator waiting on a lock with it gives up on abort", async () => {
    const lock = new Lock();
    // The plain form: the generator hands the signal to the lock's acquire.
    const acquiring = contextManager(async function* () {
      const { signal } = enterOptions();
      await lock.acquire({ signal });
      try {
        yield "held";
      } finally {
        lock.release();
      }
    });
    const holder = await enter(lock);
    const controller = new AbortController();
    const waiting = asyncWith(acquiring(), () => "never", { signal: controller.signal });
    const reason = new Error("caller gave up");
    controller.abort(reason);
    expect(await rejection(waiting)).toBe(reason);
    holder.ok();
    await holder[Symbol.asyncDispose]();
    expect(await asyncWith(acquiring(), (value) => value)).toBe("held"); // the lock is free: nothing leaked
  });

  it("exitOptions() gives the exit's deadline signal, on the success path and in the catch", async () => {
    const seen: string[] = [];
    const session = contextManager(async function* () {
      try {
        yield 1;
      } catch (error) {
        seen.push(`catch: ${exitOptions().signal instanceof AbortSignal}`);
        throw error;
      }
      seen.push(`success: ${exitOptions().signal instanceof AbortSignal}`);
    });
    await asyncWith(exitWithin(60_000, session()), () => {});
    const error = new Error("block");
    expect(await rejection(asyncWith(exitWithin(60_000, session()), () => Promise.reject(error)))).toBe(error);
    await asyncWith(session(), () => {}); // no deadline: an empty options object, no signal
    expect(seen).toEqual(["success: true", "catch: true", "success: false"]);
  });

  it("read in the wrong place, they throw a TypeError that says where to read them", async () => {
    expect(() => enterOptions()).toThrow(/inside a contextManager\(\) generator.*outside one, or after an await/);
    const late = contextManager(async function* () {
      await Promise.resolve();
      enterOptions();
      yield 1;
    });
    expect(String(await rejection(asyncWith(late(), () => {})))).toMatch(/enterOptions\(\).*before the first await/);
    const mixed = contextManager(async function* () {
      exitOptions();
      yield 1;
    });
    expect(String(await rejection(asyncWith(mixed(), () => {})))).toMatch(/exitOptions\(\).*got a call in its enter/);
  });

  it("a generator entering another one synchronously: each reads its own step, and the outer's is restored", async () => {
    const inner = contextManager(async function* () {
      yield enterOptions().signal;
    });
    const outer = contextManager(async function* () {
      const mine = enterOptions();
      const stack = new AsyncExitStack();
      const innerSignal = stack.enterContext(inner(), { signal: AbortSignal.abort("inner's own") });
      yield [mine.signal, enterOptions().signal, await innerSignal.catch((e) => e)];
      await stack.aclose();
    });
    const { signal } = new AbortController();
    const [mine, again, fromInner] = (await asyncWith(outer(), (v) => v, { signal })) as unknown[];
    expect([mine, again, fromInner]).toEqual([signal, signal, "inner's own"]);
  });
});

describe("options that are not { signal } are refused, never ignored", () => {
  // A misplaced signal ignored would leave a block meant to be cancellable waiting forever.
  const notOptions = 5_000; // a timeout in ms where the options go
  const notSignal = { signal: { aborted: true } }; // no addEventListener: not an AbortSignal

  it("by the enter of asyncWith, enterContext and enter(), which then enter nothing", async () => {
    const { seen, manager } = recorder();
    const stack = new AsyncExitStack();
    const refusals = [
      asyncWith(manager, () => {}, notOptions as never),
      asyncWith([manager], () => {}, notSignal as never),
      stack.enterContext(manager, notOptions as never),
      enter(manager, notSignal as never),
    ].map(rejection);
    const [a, b, c, d] = (await Promise.all(refusals)) as Error[];
    expect(a).toBeInstanceOf(TypeError);
    expect(a!.message).toBe("Expected the enter options to be an object ({ signal }), got 5000");
    expect(b!.message).toBe("Expected the enter options.signal to be an AbortSignal, got an object");
    expect([c!.message, d!.message]).toEqual([a!.message, b!.message]);
    expect(seen).toEqual([]);
    await stack.aclose();
  });

  it("by the waits of Lock, Semaphore, Event and Condition, as a rejection even when nothing would wait", async () => {
    const lock = new Lock(); // free: the permit would be granted at once
    const set = new Event();
    set.set();
    const condition = new Condition();
    const waits = [
      () => lock.acquire(notOptions as never),
      () => new Semaphore(1).acquire(notSignal as never),
      () => set.wait(notSignal as never),
      () => asyncWith(condition, () => condition.wait(notSignal as never)),
      () => asyncWith(condition, () => condition.waitFor(() => true, notOptions as never)),
    ];
    for (const wait of waits) {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = wait())).not.toThrow(); // a promise-returning method rejects
      expect(await rejection(promise!)).toBeInstanceOf(TypeError);
    }
    expect([lock.locked, condition.lock.locked]).toEqual([false, false]); // nothing taken, nothing kept
    expect(((await rejection(lock.acquire(notSignal as never))) as Error).message).toBe(
      "Expected acquire() options.signal to be an AbortSignal, got an object",
    );
  });

  it("by timeout, timeoutAt, moveOnAfter, moveOnAt and TaskGroup, when made", () => {
    expect(() => timeout(100, notOptions as never)).toThrow(
      "Expected timeout()/timeoutAt() options to be an object ({ signal }), got 5000",
    );
    expect(() => timeoutAt(100, notSignal as never)).toThrow("options.signal to be an AbortSignal");
    expect(() => moveOnAfter(100, notSignal as never)).toThrow(
      "Expected moveOnAfter()/moveOnAt() options.signal to be an AbortSignal, got an object",
    );
    expect(() => moveOnAt(100, notOptions as never)).toThrow(TypeError);
    expect(() => new TaskGroup(notOptions as never)).toThrow("Expected TaskGroup options to be an object");
  });

  it("accepts no options, null, a null signal, and a signal from another realm or a polyfill", async () => {
    const { seen, manager } = recorder();
    const foreign = { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {} };
    for (const options of [undefined, null, {}, { signal: null }, { signal: foreign }])
      await asyncWith(manager, () => {}, options as never);
    expect(seen).toHaveLength(5);
    // The scopes follow such a signal too (none of them calls throwIfAborted, which a polyfill may lack).
    expect(await asyncWith(timeout(60_000, { signal: foreign as never }), () => "timeout")).toBe("timeout");
    expect(await asyncWith(new TaskGroup({ signal: foreign as never }), () => "group")).toBe("group");
    const lock = new Lock();
    await lock.acquire({ signal: foreign as never });
    expect(lock.locked).toBe(true);
    // Without removeEventListener, a granted waiter could not unsubscribe: refused up front, not at the grant.
    const { removeEventListener: _, ...halfSignal } = foreign;
    expect(((await rejection(lock.acquire({ signal: halfSignal as never }))) as Error).message).toBe(
      "Expected acquire() options.signal to be an AbortSignal, got an object",
    );
    lock.release();
    expect(lock.locked).toBe(false); // the refused wait took nothing
  });
});
