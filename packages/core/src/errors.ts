/** A spec-shaped `SuppressedError`: `error` was thrown while `suppressed` was already in flight. */
export interface SuppressedError extends Error {
  error: unknown;
  suppressed: unknown;
}

export interface SuppressedErrorConstructor {
  new (error: unknown, suppressed: unknown, message?: string): SuppressedError;
  readonly prototype: SuppressedError;
}

// Every copy of this package brands its ponyfill's prototype with the same registered symbol, so
// `instanceof` holds across the ESM and CJS copies without touching any global.
const brand = Symbol.for("asyncwith.SuppressedError");

function ponyfill(): SuppressedErrorConstructor {
  class SuppressedError extends Error {
    declare error: unknown;
    declare suppressed: unknown;
    constructor(error: unknown, suppressed: unknown, message?: string) {
      super(message);
      define(this, "error", error);
      define(this, "suppressed", suppressed);
    }
    static override [Symbol.hasInstance](x: unknown): boolean {
      return this === SuppressedError
        ? x != null && (x as Record<symbol, unknown>)[brand] === true
        : Function.prototype[Symbol.hasInstance].call(this, x);
    }
  }
  define(SuppressedError.prototype, "name", "SuppressedError");
  define(SuppressedError.prototype, "message", "");
  define(SuppressedError.prototype, brand, true);
  return SuppressedError;
}

/**
 * The runtime's native `SuppressedError` where it exists (Node 24, Chromium, workerd), else a
 * spec-shaped ponyfill (Node 20 has none). Used when a disposer that cannot see the failure
 * throws while another error is in flight, exactly as `await using` does.
 *
 * @example
 * try {
 *   await stack.disposeAsync();
 * } catch (e) {
 *   if (e instanceof SuppressedError) console.log(e.error, "was thrown while", e.suppressed, "was in flight");
 * }
 */
export const SuppressedError: SuppressedErrorConstructor = /* @__PURE__ */ (() =>
  (globalThis as { SuppressedError?: SuppressedErrorConstructor }).SuppressedError ?? ponyfill())();

/** The message native `await using` gives the `SuppressedError`s it creates. */
const SUPPRESSED = "An error was suppressed during disposal";

/** Combines a disposer's error with the one in flight, as `await using` does. */
export const suppressed = (error: unknown, previous: unknown): SuppressedError =>
  new SuppressedError(error, previous, SUPPRESSED);

const isError = (x: unknown): x is Error =>
  (Error as { isError?: (x: unknown) => x is Error }).isError?.(x) ?? x instanceof Error;

/**
 * An exit that saw `previous` threw `next` instead: `next` replaces it. Like Python's implicit
 * `__context__`, `previous` stays reachable as `next.cause` (non-enumerable) unless `next` has a
 * cause of its own or is not extensible. SuppressedErrors get none: they carry their own chain.
 */
export function replaced(next: unknown, previous: unknown): unknown {
  if (next !== previous && isError(next) && !(next instanceof SuppressedError) && !Object.hasOwn(next, "cause") && Object.isExtensible(next)) {
    define(next, "cause", previous);
  }
  return next;
}

/** A short description of a value for error messages: "42", "null", "a Promise (… await it first)". */
export function describe(x: unknown): string {
  return typeof x === "string"
    ? JSON.stringify(x)
    : x === null || (typeof x !== "object" && typeof x !== "function")
      ? String(x)
      : typeof (x as PromiseLike<unknown>).then === "function"
        ? "a Promise (did you forget to await it?)"
        : typeof x === "function"
          ? "a function"
          : Array.isArray(x)
            ? "an array"
            : "an object";
}

/** A TypeError in the library's one shape: "Expected <what>, got <what it was>". */
export const expected = (what: string, got: unknown, gotText = describe(got)): TypeError => new TypeError(`Expected ${what}, got ${gotText}`);

function define(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}
