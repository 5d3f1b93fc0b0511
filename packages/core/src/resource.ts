import { expected, reused } from "./errors.js";
import { type AsyncContextManager, type EnterOptions, type ExitOptions, type Failure, NO_OPTIONS } from "./protocol.js";
import { hooks } from "./hooks.js";
import { aenter, aexit, managerName } from "./symbols.js";

/**
 * A single-use manager from two functions, without a generator: `enter()` gives the value and
 * `exit(value, failure)` releases it on every path, seeing whether the block failed (`failure` is
 * `undefined` on success, `{ error }` otherwise). `enter` gets the enter's options: a `signal` to
 * give up waiting on (see `asyncWith`); `exit` gets the exit's: a `signal` that aborts when whoever
 * runs the exit stops waiting (see `exitWithin`). The block's error always propagates: `exit` cannot
 * suppress it (throwing from `exit` replaces it, as for every exit that sees the failure). `name`
 * appears in the error a second enter gives.
 *
 * @example
 * const connection = (url: string) =>
 *   resource(() => connect(url), (conn, failure) => (failure ? conn.destroy() : conn.close()), "connection");
 * await asyncWith(connection(url), (conn) => conn.query("select 1"));
 */
export function resource<T>(
  enter: (options: EnterOptions) => T | PromiseLike<T>,
  exit: (value: T, failure?: Failure, options?: ExitOptions) => unknown,
  name = "resource",
): AsyncContextManager<T, false> {
  if (typeof enter !== "function" || typeof exit !== "function")
    throw expected("resource() to be given an enter and an exit function", typeof enter !== "function" ? enter : exit);
  let state: "new" | "open" | "closed" = "new";
  let value: T;
  return {
    [managerName]: name,
    async [aenter](options?: EnterOptions) {
      if (state !== "new") throw reused(name);
      state = "open";
      value = await enter(options ?? NO_OPTIONS);
      hooks.track?.(this, this); // only once entered: a failed enter has nothing to leak
      return value;
    },
    async [aexit](failure?: Failure, options?: ExitOptions): Promise<false> {
      if (state !== "open")
        throw new TypeError(
          `Expected an entered ${name}() manager to exit, got one that was ${state === "new" ? "never entered" : "already exited"}`,
        );
      state = "closed";
      hooks.untrack?.(this);
      await exit(value, failure, options ?? NO_OPTIONS);
      return false;
    },
  };
}
