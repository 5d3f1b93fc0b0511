// The one place the lifecycle looks for optional steps: slots that `observe()` and `detectLeaks()`
// fill when first used. Until then (and in every bundle that never imports them) they are empty, so
// watching costs neither time nor bytes where nobody watches.
//
// The slots are shared by every copy of this package in the realm — its ESM and CJS builds, a copy
// a bundler inlined next to the one in node_modules — through one registered-symbol key, as
// OpenTelemetry's API shares its globals: an observer or detectLeaks() turned on through one copy
// sees the blocks every copy runs (with a slot per module, a CJS app under an ESM preload traced
// nothing, silently). The key names this contract's version: change `Watch` or `Tracked`
// incompatibly and bump it, so that copies that cannot share stop sharing.
import type { Tracked } from "./leaks.js";
import type { Block, Observer } from "./observe.js";
import type { Failure } from "./protocol.js";

/**
 * What the lifecycle (block.ts, unwind.ts) asks of observation: each step of a watched block. Every
 * step takes its function and that function's arguments rather than a closure: a closure on the
 * lifecycle's side would make V8 allocate a context on every block, watched or not (~3% of a
 * bare asyncWith block on Node 24 in an A/B of the two builds; within noise on Node 20).
 */
export interface Watch {
  /** Opens a block for `manager` (its `enter` reported), or undefined when no observer is active now. */
  open(manager: unknown): Block | undefined;
  /** Awaits the manager's enter, `call(...args)`, reporting its end or failure. */
  enter<A extends unknown[]>(block: Block, call: (...args: A) => unknown, ...args: A): Promise<unknown>;
  /** Runs `fn(...args)` — `step`: the whole block, a stack's enter, or the body — through every observer's `run`, the block current meanwhile. */
  run<A extends unknown[], R>(block: Block, step: "block" | "enter" | "body", fn: (...args: A) => R, ...args: A): R;
  /** The block's body is the caller's own code: observers make the block current for the rest of it. */
  attach(block: Block): void;
  /** Runs one exit, `call(...args)`, reporting its start and the block's outcome; returns what `call` did. */
  exit<A extends unknown[]>(
    block: Block,
    failure: Failure | undefined,
    call: (...args: A) => unknown,
    ...args: A
  ): unknown;
}

export interface Hooks {
  /** Observation, once `observe()` was first called (through any copy: the first copy's steps). */
  watch?: Watch;
  /** Every copy's observers, in one list. */
  observers?: Observer[];
  /** While `detectLeaks()` is on: watch `target` (entered, named after `manager`) until untracked. */
  track?: (target: object, manager: unknown) => void;
  /** Its exit ran (or something else now covers it): stop watching. */
  untrack?: (target: object) => void;
  /** The one leak registry, once `detectLeaks()` was first called (each target its own token). */
  leaks?: FinalizationRegistry<Tracked>;
}

export const hooks: Hooks = /* @__PURE__ */ (() =>
  ((globalThis as { [key: symbol]: Hooks })[Symbol.for("asyncwith.hooks.v1")] ??= {}))();
