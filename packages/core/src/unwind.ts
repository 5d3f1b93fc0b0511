import { replaced, suppressed } from "./errors.js";
import type { AsyncContextManager, Failure } from "./protocol.js";
import { aexit } from "./symbols.js";

// An exit stack is one flat array unwound last-in first-out. An entry is either a bare function,
// called with no arguments (`defer`, the common case: one slot), or an (a, b, kind) triple whose
// last slot is its kind, a number — which is how unwinding from the top tells the two apart.
// Kinds below SEES_FAILURE are TC39 disposers that cannot see the error; the rest are Python
// exits that can.
export const DISPOSE = 0; // b.call(a), awaited
export const DISPOSE_SYNC = 1; // b.call(a), result ignored (Symbol.dispose under `await using`)
export const CALL = 2; // a(...b)
export const ADOPT = 3; // a(b)
export const EXIT = 4; // a(failure): may suppress or replace the error
export const MANAGER = 5; // a[aexit](failure): likewise
const SEES_FAILURE = EXIT;

/**
 * What exits see when the stack is disposed by `await using` or `disposeAsync()`, which cannot
 * tell whether the block failed: a failure, so nothing commits by accident.
 */
const blindFailure = (): Failure => ({
  error: new Error("disposed without a success mark, so exits take the failure path: await using cannot see errors"),
});

/**
 * Runs every entry of `entries` from the top, iteratively, and returns (or, with `rethrow`,
 * throws) what is left in flight.
 * `pending` is the failure being propagated; with `blind`, exits that see failures are told the
 * block failed even when nothing is pending. Sync results are not awaited, which keeps a million
 * sync callbacks cheap; async ones are awaited one at a time, in order.
 */
export async function unwind(entries: unknown[], pending: Failure | undefined, blind: boolean, rethrow: boolean): Promise<Failure | undefined> {
  let blinded: Failure | undefined;
  for (let i = entries.length - 1; i >= 0; ) {
    const last = entries[i];
    let kind = CALL;
    let a: any = last;
    let b: any;
    if (typeof last === "number") {
      kind = last;
      a = entries[i - 2];
      b = entries[i - 1];
      entries[i - 2] = entries[i - 1] = undefined;
      i -= 3;
    } else {
      entries[i] = undefined; // release as we go: a million callbacks are freed while unwinding
      i -= 1;
    }
    try {
      if (kind >= SEES_FAILURE) {
        const seen = pending ?? (blind ? (blinded ??= blindFailure()) : undefined);
        let result = kind === EXIT ? a(seen) : (a as AsyncContextManager)[aexit](seen);
        if (result && typeof result.then === "function") result = await result;
        if (result === true) pending = undefined;
      } else {
        const result = kind === CALL ? (b ? a(...b) : a()) : kind === ADOPT ? a(b) : b.call(a);
        if (kind !== DISPOSE_SYNC && result && typeof result.then === "function") await result;
      }
    } catch (error) {
      if (kind < SEES_FAILURE) pending = { error: pending ? suppressed(error, pending.error) : error };
      else if (pending) pending = error === pending.error ? pending : { error: replaced(error, pending.error) };
      else if (!blinded || error !== blinded.error) pending = { error };
    }
  }
  entries.length = 0;
  if (rethrow && pending) throw pending.error;
  return pending;
}
