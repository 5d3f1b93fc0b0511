// For adapter packages (@asyncwith/node, /browser, /edge, and yours): the library's one way to word
// its errors, so every package says the same thing the same way. A subpath, kept out of the root
// entry: application code has no use for it.
export { describe, expected, reused, suppressed } from "./errors.js";
