// Watching blocks: which manager entered and exited, with what outcome, how long it took, and
// inside which block. Free when nobody watches: the unobserved paths never reach this module's
// bookkeeping (one length check), so they keep their microtask ticks and speed.
import { replaced } from "./errors.js";
import { hooks } from "./hooks.js";
import type { AsyncContextManager, Failure } from "./protocol.js";
import { nameOf } from "./names.js";
import { aenter, aexit } from "./symbols.js";

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
 * (`console.error`) and its observer removed: it never changes a block's outcome.
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
  /** Runs the block's body, e.g. inside an OpenTelemetry context or an AsyncLocalStorage store. */
  run?<R>(block: Block, body: () => R): R;
  /** The block whose body is running now, for `parent` (an AsyncLocalStorage-backed observer knows). */
  current?(): Block | undefined;
  /** Whether it wants events now (e.g. only while a channel has subscribers). Default: always. */
  active?(): boolean;
}

const observers: Observer[] = [];
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
    throw new TypeError("Expected an observer object with enter/entered/exit/exited methods");
  hooks.with ??= (m, body) => (observing() ? observedWith(m, body) : undefined);
  hooks.enterContext ??= (m, register) => (observing() ? observedEnter(m, register) : undefined);
  observers.push(observer);
  return () => {
    const at = observers.indexOf(observer);
    if (at >= 0) observers.splice(at, 1);
  };
}

/** Whether any observer wants events now: the one check on the unobserved path. */
export function observing(): boolean {
  if (observers.length === 0) return false;
  for (const o of observers) if (!o.active || o.active()) return true;
  return false;
}

function notify(step: "enter" | "entered" | "exit" | "exited", block: Block): void {
  for (const observer of [...observers]) {
    try {
      observer[step]?.(block);
    } catch (error) {
      drop(observer, error);
    }
  }
}

function drop(observer: Observer, error: unknown): void {
  const at = observers.indexOf(observer);
  if (at < 0) return;
  observers.splice(at, 1);
  console.error("[asyncwith] an observer threw, and was removed (the block was not affected):", error);
}

/** Starts a block: its id, name, parent, and the `enter` event. */
export function opened(manager: unknown): Block {
  let parent = syncCurrent;
  for (const o of observers) {
    if (!o.current) continue;
    try {
      parent = o.current() ?? parent;
    } catch (error) {
      drop(o, error);
    }
  }
  const block: Block = { id: ++nextId, name: nameOf(manager), parent, times: { enter: performance.now() } };
  notify("enter", block);
  return block;
}

export function entered(block: Block, enterError?: { error: unknown }): void {
  block.times.entered = performance.now();
  if (enterError) ((block.outcome = "enter-failed"), (block.error = enterError.error));
  notify("entered", block);
  if (enterError) block.times.exited = block.times.entered;
}

export function exiting(block: Block, failure: Failure | undefined): void {
  block.times.exit = performance.now();
  block.failure = failure;
  notify("exit", block);
}

export function exited(block: Block, outcome: Outcome, error?: unknown): void {
  block.times.exited = performance.now();
  block.outcome = outcome;
  if (outcome !== "ok") block.error = error;
  notify("exited", block);
}

/** Runs `body` as the block's body: through every observer's `run`, with the block as current. */
export function runBody<R>(block: Block, body: () => R): R {
  let call = body;
  for (const o of observers) {
    if (!o.run) continue;
    const inner = call;
    call = () => o.run!(block, inner);
  }
  const previous = syncCurrent;
  syncCurrent = block;
  try {
    return call();
  } finally {
    syncCurrent = previous;
  }
}

/** An exit, watched: reports its start and how the block ended. */
export async function watchedExit(
  block: Block,
  m: AsyncContextManager,
  failure: Failure | undefined,
): Promise<unknown> {
  exiting(block, failure);
  let result: unknown;
  try {
    result = await m[aexit](failure);
  } catch (exitError) {
    const error = failure ? replaced(exitError, failure.error) : exitError;
    exited(block, failure && error !== failure.error ? "replaced" : "error", error);
    throw exitError;
  }
  if (!failure) exited(block, "ok");
  else exited(block, result === true ? "suppressed" : "error", failure.error);
  return result;
}

/** A watched enter: the block opened, the manager entered, both reported. */
async function watchedEnter(m: AsyncContextManager): Promise<{ block: Block; value: unknown }> {
  const block = opened(m);
  let value: unknown;
  try {
    value = await m[aenter]();
  } catch (error) {
    entered(block, { error });
    throw error;
  }
  entered(block);
  return { block, value };
}

/** `AsyncExitStack.enterContext` while someone watches: enter and exit reported as one block. */
async function observedEnter(m: AsyncContextManager, register: (exit: AsyncContextManager) => void): Promise<unknown> {
  const { block, value } = await watchedEnter(m);
  register({ [aexit]: (failure?: Failure) => watchedExit(block, m, failure) } as unknown as AsyncContextManager);
  return value;
}

/** `asyncWith` for one manager while someone watches: the same steps, reported. */
export async function observedWith(m: AsyncContextManager, body: (value: unknown) => unknown): Promise<unknown> {
  const { block, value } = await watchedEnter(m);
  let result: unknown;
  try {
    result = await runBody(block, () => body(value));
  } catch (error) {
    let suppress: unknown;
    try {
      suppress = await watchedExit(block, m, { error });
    } catch (exitError) {
      throw replaced(exitError, error);
    }
    if (suppress === true) return undefined;
    throw error;
  }
  await watchedExit(block, m, undefined);
  return result;
}
