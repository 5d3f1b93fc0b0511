// The one lifecycle of a block — enter, body, exit — for asyncWith, AsyncExitStack.enterContext
// and so enter(). asyncWith runs all three here; a stack runs the enter here and its exits in its
// unwinder (unwind.ts), through the same exit step. Observation is an optional step of each: a
// block is opened only while an observer is active (`hooks.watch`), and without one every step is
// the bare call, so the unwatched path awaits exactly what hand-written code would.
//
// Where the block's body is the caller's own code (enterContext, enter(), `await using`), nothing
// can wrap it: observers are asked to `attach` the block to the calling function instead.
import { replaced, signalOf } from "./errors.js";
import { hooks } from "./hooks.js";
import type { Block } from "./observe.js";
import { type AsyncContextManager, type EnterOptions, type ExitOptions, type Failure, toManager } from "./protocol.js";
import { aenter, aexit } from "./symbols.js";

/**
 * The manager's enter, with the caller's options: its value, or a promise of it. Options that are
 * not `{ signal }` are refused, and a signal that has already aborted stops it before it starts.
 * Watched, its end is reported.
 */
export const enterStep = (m: AsyncContextManager, block: Block | undefined, options?: EnterOptions): unknown =>
  block ? hooks.watch!.enter(block, enter, m, options) : enter(m, options);

const enter = (m: AsyncContextManager, options: EnterOptions | undefined): unknown => {
  if (options !== undefined) {
    // Only when given: a call on every block, even one V8 does not inline, cost ~3% of a bare block.
    const signal = signalOf(options, "the enter");
    if (signal?.aborted) throw signal.reason;
  }
  return m[aenter](options);
};

/**
 * The manager's exit, seeing `failure`, with the options of whoever runs it (a deadline's signal).
 * Watched, its start and the block's outcome are reported.
 */
export const exitStep = (
  m: AsyncContextManager,
  block: Block | undefined,
  failure?: Failure,
  options?: ExitOptions,
): unknown => (block ? hooks.watch!.exit(block, failure, exit, m, failure, options) : exit(m, failure, options));

const exit = (m: AsyncContextManager, failure: Failure | undefined, options: ExitOptions | undefined): unknown =>
  m[aexit](failure, options);

/**
 * enter → body → exit, on every path: the body's result, or `undefined` when the exit suppressed
 * its error; an exit that throws replaces the body's error (which stays reachable as its cause).
 * Watched, the whole block runs inside the observers' `run` (a span's context, a channel's stores),
 * so the manager's own enter and exit work nests under the block as its body does.
 */
export async function runBlock(
  manager: unknown,
  body: (value: unknown) => unknown,
  options?: EnterOptions,
  opened?: Block,
): Promise<unknown> {
  const m = toManager(manager); // in here, a refused manager is a rejection like every other failure
  const block = opened ?? hooks.watch?.open(m);
  if (block && !opened) return hooks.watch!.run(block, "block", runBlock, m, body, options, block);
  const value = await enterStep(m, block, options);
  let result;
  try {
    result = await (block ? hooks.watch!.run(block, "body", body, value) : body(value));
  } catch (error) {
    let suppress;
    try {
      suppress = await exitStep(m, block, { error });
    } catch (exitError) {
      throw replaced(exitError, error);
    }
    if (suppress === true) return undefined;
    throw error;
  }
  await exitStep(m, block);
  return result;
}
