// For adapter packages (@asyncwith/node, /browser, /edge, and yours): the library's one way to word
// its errors, so every package says the same thing the same way. A subpath, kept out of the root
// entry: application code has no use for it.
export { checkOptions, describe, expected, reused, suppressed } from "./errors.js";

/**
 * The signal a waiting enter should honour: the manager's own option and the enter's (`asyncWith(…,
 * { signal })`) as one, which aborts when either does, with that one's reason.
 * @example const signal = eitherSignal(options.signal, enter.signal); // in a resource()'s enter
 */
export const eitherSignal = (a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined =>
  a && b && a !== b ? AbortSignal.any([a, b]) : (a ?? b);

/**
 * `promise`, or — once `signal` aborts first — a rejection with its reason, for an exit that stops
 * waiting at its deadline (`options.signal`) or an enter that gives up. No listener stays behind,
 * and a later rejection of `promise` is handled (never an unhandled rejection).
 * @example
 * async (held, failure, { signal }) => { await untilAborted(release(held), signal); } // a resource()'s exit
 */
export function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal | undefined): Promise<T> {
  const settled = Promise.resolve(promise);
  if (!signal) return settled;
  settled.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    settled.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
