// Helpers every manager of this package shares. Not exported from the package.
import { aenter, aexit, type AsyncContextManager, type Failure } from "@asyncwith/core";

/**
 * A single-use manager named after its factory. `exit` sees the failure; the block's error always
 * propagates (these managers never suppress), so the exit type is `false`.
 */
export function _manager<T>(name: string, enter: () => T | Promise<T>, exit: (failure?: Failure) => unknown): AsyncContextManager<T, false> {
  let entered = false;
  return {
    async [aenter]() {
      if (entered) throw new TypeError(`Expected a fresh ${name}() manager, got one already entered: managers are single-use, call ${name}() again`);
      entered = true;
      return enter();
    },
    async [aexit](failure): Promise<false> {
      await exit(failure);
      return false;
    },
  };
}

/** A TypeError in the library's shape: "Expected <what>, got <what it was>". */
export const _expected = (what: string, got: unknown): TypeError =>
  new TypeError(`Expected ${what}, got ${typeof got === "string" ? JSON.stringify(got) : got && typeof got === "object" ? "an object" : typeof got === "function" ? "a function" : String(got)}`);
