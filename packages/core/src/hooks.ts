// The one place the lifecycle looks for optional steps: slots that `observe()` and `detectLeaks()`
// fill when first used. Until then (and in every bundle that never imports them) they are empty, so
// watching costs neither time nor bytes where nobody watches.
import type { Block } from "./observe.js";
import type { Failure } from "./protocol.js";

/** What the lifecycle (block.ts, unwind.ts) asks of observation: each step of a watched block. */
export interface Watch {
  /** Opens a block for `manager` (its `enter` reported), or undefined when no observer is active now. */
  open(manager: unknown): Block | undefined;
  /** Awaits the manager's enter, `call`, reporting its end or failure. */
  enter(block: Block, call: () => unknown): Promise<unknown>;
  /** Runs `fn` — `step`: the whole block, a stack's enter, or the body — through every observer's `run`, the block current meanwhile. */
  run<R>(block: Block, fn: () => R, step: "block" | "enter" | "body"): R;
  /** The block's body is the caller's own code: observers make the block current for the rest of it. */
  attach(block: Block): void;
  /** Runs one exit, `call`, reporting its start and the block's outcome; returns what `call` did. */
  exit(block: Block, failure: Failure | undefined, call: () => unknown): unknown;
}

export const hooks: {
  /** Observation, once `observe()` was first called. */
  watch?: Watch;
  /** While `detectLeaks()` is on: watch `target` (entered, named after `manager`) until untracked. */
  track?: (target: object, manager: unknown) => void;
  /** Its exit ran (or something else now covers it): stop watching. */
  untrack?: (target: object) => void;
} = {};
