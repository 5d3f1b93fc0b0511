import { detectLeaks as detect } from "@asyncwith/core";

/**
 * Core's `detectLeaks`, reporting through `process.emitWarning` (code `ASYNCWITH_LEAK`, the entry
 * stack as `detail`), so leaks show with Node's other warnings and `--throw-deprecation`-style
 * tooling can catch them. Returns the function that turns it off. Development only.
 *
 * @example
 * if (process.env.NODE_ENV !== "production") detectLeaks();
 */
export function detectLeaks(): () => void {
  return detect({
    warn: (message, enteredAt) => process.emitWarning(message, { code: "ASYNCWITH_LEAK", detail: enteredAt }),
  });
}
