import { exitStep } from "./block.js";
import { replaced, suppressed } from "./errors.js";
import { hooks } from "./hooks.js";
import type { Block } from "./observe.js";
import type { AsyncContextManager, ExitOptions, Failure } from "./protocol.js";

// An exit stack is one flat array unwound last-in first-out. An entry is either a bare function,
// called with no arguments (TC39's `defer`, the common case: one slot), or an (a, b, kind) triple
// whose last slot is its kind, a number — which is how unwinding from the top tells them apart.
//
// Two families, two awaiting rules. TC39's methods (`use`, `adopt`, `defer`) register resources
// with the spec's async-dispose hint: their result is always awaited, even when it is not a
// promise, and a `use(null)` still costs one await at the end (DisposeResources' `needsAwait` and
// `hasAwaited`), so interleavings with other microtasks are exactly native. Python's methods keep
// contextlib's cheaper rule: a sync result is not awaited. Kinds from EXIT up see the failure.
const DEFER = 0; // TC39: await a() — the bare function, stored without a kind
export const DISPOSE = 1; // TC39: await b.call(a)
export const DISPOSE_SYNC = 2; // TC39: b.call(a) through the spec's wrapper: an awaited promise of undefined
export const ADOPT = 3; // TC39: await a(b)
export const NULL = 4; // TC39: use(null | undefined): no call, one await at the end unless another awaited
export const CALL = 5; // Python: a(...b), awaited when it returns a promise
export const PY_DISPOSE = 6; // Python: b.call(a), awaited when it returns a promise
export const PY_DISPOSE_SYNC = 7; // Python: b.call(a), result ignored
export const EXIT = 8; // a(failure): may suppress or replace the error
export const MANAGER = 9; // a[aexit](failure): likewise
/**
 * Added to the kind of an entry that enterContext made while someone watched: its block sits one
 * slot below the triple, and its exit goes through the watched exit step (block.ts), which reports.
 */
export const WATCHED = 16;

/**
 * What exits see when the stack is disposed by `await using` or `disposeAsync()`, which cannot
 * tell whether the block failed: a failure, so nothing commits by accident.
 */
const blindFailure = (): Failure => ({
  error: new Error("disposed without a success mark, so exits take the failure path: await using cannot see errors"),
});

/**
 * Runs every entry of `entries` from the top, iteratively, and returns (or, with `rethrow`,
 * throws) what is left in flight. `pending` is the failure being propagated; with `blind`, exits
 * that see failures are told the block failed even when nothing is pending.
 */
export interface UnwindOptions {
  /** `disposeAsync()`/`await using`: exits that see failures are told the block failed. */
  blind?: boolean;
  /** Reject with what is left in flight, instead of resolving to it. */
  rethrow?: boolean;
  /** The options the stack's own exit was given (a deadline's signal): passed to every exit that sees failures. */
  exit?: ExitOptions;
}

export async function unwind(
  entries: unknown[],
  pending: Failure | undefined,
  { blind, rethrow, exit }: UnwindOptions,
): Promise<Failure | undefined> {
  let blinded: Failure | undefined;
  let needsAwait = false;
  let hasAwaited = false;
  for (let top = entries.length - 1; top >= 0;) {
    const last = entries[top];
    let kind = DEFER;
    let target: any = last;
    let detail: any;
    let block: Block | undefined;
    if (typeof last === "number") {
      kind = last;
      target = entries[top - 2];
      detail = entries[top - 1];
      entries[top - 2] = entries[top - 1] = undefined;
      top -= 3;
      if (kind >= WATCHED) {
        kind -= WATCHED;
        block = entries[top] as Block;
        entries[top--] = undefined;
      }
    } else {
      entries[top] = undefined; // release as we go: a million callbacks are freed while unwinding
      top -= 1;
    }
    try {
      if (kind >= EXIT) {
        const seen = pending ?? (blind ? (blinded ??= blindFailure()) : undefined);
        let result = kind === EXIT ? target(seen, exit) : exitStep(target as AsyncContextManager, block, seen, exit);
        if (result && typeof result.then === "function") result = await result;
        if (result === true) pending = undefined;
      } else if (kind >= CALL) {
        const result = block ? hooks.watch!.exit(block, pending, py, kind, target, detail) : py(kind, target, detail);
        if (result && typeof (result as PromiseLike<unknown>).then === "function") await result;
      } else if (kind === NULL) {
        needsAwait = true;
      } else {
        const result =
          kind === DEFER
            ? target()
            : kind === ADOPT
              ? target(detail)
              : kind === DISPOSE
                ? detail.call(target)
                : wrapSync(detail, target);
        hasAwaited = true; // a sync throw above skips this, as in the spec
        await result;
      }
    } catch (error) {
      if (kind < EXIT) pending = { error: pending ? suppressed(error, pending.error) : error };
      else if (pending) pending = error === pending.error ? pending : { error: replaced(error, pending.error) };
      else if (!blinded || error !== blinded.error) pending = { error };
    }
  }
  if (needsAwait && !hasAwaited) await undefined;
  entries.length = 0;
  if (rethrow && pending) throw pending.error;
  return pending;
}

/** Python's cleanups: `callback`'s call, and a disposable's disposer (a sync one's result ignored). */
function py(kind: number, target: any, detail: any): unknown {
  if (kind === CALL) return detail ? target(...detail) : target();
  const result = detail.call(target);
  return kind === PY_DISPOSE ? result : undefined;
}

/** The spec's wrapper for a sync disposer under an async hint: result ignored, a throw becomes a rejection. */
function wrapSync(dispose: () => unknown, target: unknown): Promise<never> | undefined {
  try {
    dispose.call(target);
  } catch (error) {
    return Promise.reject(error);
  }
}
