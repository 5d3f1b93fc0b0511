// For adapter packages (@asyncwith/node, /browser, /edge, and yours): the library's one way to word
// its errors, so every package says the same thing the same way. A subpath, kept out of the root
// entry: application code has no use for it.
export { describe, expected, reused, suppressed } from "./errors.js";

/**
 * The signal a waiting enter should honour: the manager's own option and the enter's (`asyncWith(…,
 * { signal })`) as one, which aborts when either does, with that one's reason.
 * @example const signal = eitherSignal(options.signal, enter.signal); // in a resource()'s enter
 */
export const eitherSignal = (a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined =>
  a && b && a !== b ? AbortSignal.any([a, b]) : (a ?? b);
