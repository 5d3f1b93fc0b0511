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
  type EnterOptions,
  enter,
  exitWithin,
  Lock,
  moveOnAfter,
  resource,
  Semaphore,
  timeout,
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
