// Watching blocks: which manager entered and exited, with what outcome, how long it took, and
// inside which block. This module only reports: the lifecycle itself is block.ts and unwind.ts,
// which call `hooks.watch` at each step of a watched block. Free when nobody watches: the
// unwatched path never reaches this module's bookkeeping (one check), so it keeps its ticks.
//
// Observing never changes a block: every observer method runs isolated — one that throws (or a
// `run` that does not run the body exactly once and return what it returned) is reported once and
// removed, and the block goes on as if it had never been there.
import { hooks, type Watch } from "./hooks.js";
import type { Failure } from "./protocol.js";
import { nameOf } from "./names.js";
import { expected } from "./errors.js";

/** How a block ended: `enter-failed` (no exit ran), or what its exit made of the block's outcome. */
export type Outcome = "ok" | "error" | "suppressed" | "replaced" | "enter-failed";

/** One block, as observers see it. Fields fill in as the block goes. */
export interface Block {
  /** Unique in this process (or page, or isolate). */
  readonly id: number;
  /** The manager's name: a factory's (`fileLock`, `transaction`), a generator's, a class's. */
  readonly name: string;
  /** The block this one runs inside, when that is known (see `Observer.current`). */
  readonly parent: Block | undefined;
  /** `performance.now()` when each step started or ended. */
  readonly times: { enter: number; entered?: number; exit?: number; exited?: number };
  /** What the exit saw: `undefined` when the block completed. */
  failure?: Failure;
  /** Set at the end. */
  outcome?: Outcome;
  /** What came out: the block's or exit's error (`error`, `replaced`), the suppressed one, or the enter's. */
  error?: unknown;
}

/**
 * What an observer may watch; every method is optional. A method that throws is reported once
 * (`console.error`) and its observer removed: it never changes a block's outcome, value or exits.
 */
export interface Observer {
  /** A block starts entering. */
  enter?(block: Block): void;
  /** The enter finished, or failed (`block.outcome === "enter-failed"`, no exit follows). */
  entered?(block: Block): void;
  /** The exit starts; `block.failure` is what it sees. */
  exit?(block: Block): void;
  /** The block is over: `block.outcome`, `block.error`, `block.times`. */
  exited?(block: Block): void;
  /**
   * Runs a piece of the block — e.g. inside an OpenTelemetry context or an AsyncLocalStorage store;
   * `step` says which: `"block"`, all of an `asyncWith` block (enter, body and exit, so the manager's
   * own work nests under it); `"enter"`, the enter of an `enterContext`/`enter()` block; then
   * `"body"`, the synchronous call of an `asyncWith` body, already inside its `"block"` (a context
   * that follows awaits has nothing more to do; a synchronous one, as in browsers, enters again).
   * It must call `fn` once and return what it returned (else it is removed, and the block runs without it).
   */
  run?<R>(block: Block, fn: () => R, step: "block" | "enter" | "body"): R;
  /**
   * The block's body is the caller's own code (`enterContext`, `enter()`, `await using`), which no
   * `run` can wrap: make the block current for the rest of the calling function (e.g. with
   * `AsyncLocalStorage.enterWith`). Called synchronously in the caller's frame, before the enter.
   * Nothing detaches it: what it installs should resolve to the outer block once this one has
   * `outcome` set (see `@asyncwith/otel`).
   */
  attach?(block: Block): void;
  /** The block whose body is running now, for `parent` (an AsyncLocalStorage-backed observer knows). */
  current?(): Block | undefined;
  /** Whether it wants events now (e.g. only while a channel has subscribers). Default: always. */
  active?(): boolean;
}

// Every copy's observers, in one list (hooks.ts): this copy's steps may be the ones installed,
// and another copy's observe() adds to the list they read. Bound to it on the first observe().
let observers: Observer[] = [];
let nextId = 0;
let syncCurrent: Block | undefined; // the block whose body is running synchronously right now

/**
 * Subscribes to every block run by `asyncWith`, `enter()` and `AsyncExitStack.enterContext`;
 * returns the unsubscribe function. Several observers may watch at once.
 *
 * @example
 * const stop = observe({ exited: (b) => console.log(`${b.name}: ${b.outcome} in ${b.times.exited! - b.times.enter} ms`) });
 */
export function observe(observer: Observer): () => void {
  if (observer === null || typeof observer !== "object")
    throw expected("an observer object (with enter/entered/exit/exited/run methods, all optional)", observer);
  (observers = hooks.observers ??= observers).push(observer);
  hooks.watch ??= watch; // or another copy's, if it came first: they read the same list
  return () => {
    const at = observers.indexOf(observer);
    if (at >= 0) observers.splice(at, 1);
  };
}

/** Calls one observer method; if it throws, the observer is reported, removed, and `fallback` returned. */
function isolated<R>(observer: Observer, call: () => R, fallback: R): R {
  try {
    return call();
  } catch (error) {
    drop(observer, error);
    return fallback;
  }
}

function notify(step: "enter" | "entered" | "exit" | "exited" | "attach", block: Block): void {
  for (const o of [...observers]) isolated(o, () => o[step]?.(block), undefined);
}

function drop(observer: Observer, error: unknown): void {
  const at = observers.indexOf(observer);
  if (at < 0) return;
  observers.splice(at, 1);
  console.error("[asyncwith] an observer threw, and was removed (the block was not affected):", error);
}

/** The steps of a watched block, as the lifecycle (block.ts, unwind.ts) calls them. */
const watch: Watch = {
  open(manager) {
    // The one check a block makes when it opens: does any observer want events now?
    if (![...observers].some((o) => !o.active || isolated(o, () => o.active!(), false))) return undefined;
    let parent = syncCurrent;
    for (const o of [...observers]) if (o.current) parent = isolated(o, () => o.current!(), undefined) ?? parent;
    const block: Block = { id: ++nextId, name: nameOf(manager), parent, times: { enter: performance.now() } };
    notify("enter", block);
    return block;
  },

  async enter(block, call, ...args) {
    let value: unknown;
    try {
      value = await call(...args);
    } catch (error) {
      entered(block, { error });
      throw error;
    }
    entered(block);
    return value;
  },

  attach(block) {
    notify("attach", block);
  },

  run(block, step, fn, ...args) {
    let call = () => fn(...args);
    for (const o of observers) if (o.run) call = wrapRun(o, block, call, step);
    const previous = syncCurrent;
    syncCurrent = block;
    try {
      return call();
    } finally {
      syncCurrent = previous;
    }
  },

  exit(block, failure, call, ...args) {
    block.times.exit = performance.now();
    block.failure = failure;
    notify("exit", block);
    // The block's outcome from what the exit saw and what it returned, or what it threw: the
    // block's own error rethrown, or a new one that replaced it.
    const done = (result: unknown) => (
      exited(block, !failure ? "ok" : result === true ? "suppressed" : "error", failure?.error),
      result
    );
    const threw = (error: unknown): never => {
      exited(block, failure && error !== failure.error ? "replaced" : "error", error);
      throw error;
    };
    let result: unknown;
    try {
      result = call(...args);
    } catch (error) {
      threw(error);
    }
    return result && typeof (result as PromiseLike<unknown>).then === "function"
      ? Promise.resolve(result).then(done, threw)
      : done(result);
  },
};

/**
 * One observer's `run` around `inner`, isolated: it must call `inner` once and return its result.
 * If it throws, never calls `inner`, or returns something else, it is dropped and the block gets
 * `inner`'s own outcome (its result, or its very error), `inner` running once all the same.
 */
function wrapRun<R>(o: Observer, block: Block, inner: () => R, step: "block" | "enter" | "body"): () => R {
  return () => {
    let ran = false;
    let failed = false;
    let outcome: unknown;
    const once = (): R => {
      ran = true;
      try {
        return (outcome = inner()) as R;
      } catch (error) {
        failed = true;
        throw (outcome = error);
      }
    };
    try {
      const returned = o.run!(block, once, step);
      if (ran && !failed && returned === outcome) return returned;
      drop(o, new TypeError("Expected an observer's run() to return the body's result, got another value"));
    } catch (error) {
      if (failed && error === outcome) throw error; // the body's own error, passed through
      drop(o, error);
    }
    if (!ran) return inner();
    if (failed) throw outcome;
    return outcome as R;
  };
}

function entered(block: Block, enterError?: { error: unknown }): void {
  block.times.entered = performance.now();
  if (enterError) ((block.outcome = "enter-failed"), (block.error = enterError.error));
  notify("entered", block);
  if (enterError) block.times.exited = block.times.entered;
}

function exited(block: Block, outcome: Outcome, error?: unknown): void {
  block.times.exited = performance.now();
  block.outcome = outcome;
  if (outcome !== "ok") block.error = error;
  notify("exited", block);
}
