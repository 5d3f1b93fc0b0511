/** A spec-shaped `SuppressedError`: `error` was thrown while `suppressed` was already in flight. */
export interface SuppressedError extends Error {
  error: unknown;
  suppressed: unknown;
}

/** The `SuppressedError` constructor: the native one where the runtime has it, else this package's ponyfill. */
export interface SuppressedErrorConstructor {
  new (error: unknown, suppressed: unknown, message?: string): SuppressedError;
  (error: unknown, suppressed: unknown, message?: string): SuppressedError;
  readonly prototype: SuppressedError;
}

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/**
 * The spec's SuppressedError for runtimes without one (Node 20): callable with or without `new`,
 * `error`/`suppressed`/`message` as non-enumerable own data properties (`message` only when
 * given), a NewTarget whose `prototype` is not an object falling back to ours. Exported for tests.
 */
export function _ponyfill(): SuppressedErrorConstructor {
  const SuppressedError = function (this: unknown, error: unknown, suppressed: unknown, message?: unknown) {
    const proto = new.target?.prototype;
    const target = Object(proto) === proto ? new.target : SuppressedError; // proto an object (or function)
    const self = Reflect.construct(Error, message === undefined ? [] : [message], target); // Error does the spec's ToString
    define(self, "error", error);
    define(self, "suppressed", suppressed);
    return self;
  } as unknown as SuppressedErrorConstructor;
  const proto = Object.create(Error.prototype);
  define(proto, "constructor", SuppressedError);
  define(proto, "name", "SuppressedError");
  define(proto, "message", "");
  // Node, Bun and Deno print an error's own enumerable keys only: show the two inner errors (all
  // three pass their `inspect` as the third argument).
  define(
    proto,
    inspectCustom,
    function (this: SuppressedError, _depth: number, options: object, inspect: (x: unknown, o: object) => string) {
      const show = (x: unknown) => inspect(x, options).replace(/\n/g, "\n    ");
      return `${this.stack}\n  [error]: ${show(this.error)}\n  [suppressed]: ${show(this.suppressed)}`;
    },
  );
  Object.defineProperty(SuppressedError, "prototype", { value: proto, writable: false });
  Object.defineProperty(SuppressedError, "name", { value: "SuppressedError" }); // bundlers may rename the function
  Object.setPrototypeOf(SuppressedError, Error);
  return SuppressedError;
}

// Without a native one, every copy of this package in the realm (its ESM and CJS builds, a copy a
// bundler inlined) takes one ponyfill, registered under a symbol key as hooks.ts shares the
// lifecycle's slots: `instanceof` then holds across copies with the language's own check.
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
  (globalThis as { SuppressedError?: SuppressedErrorConstructor }).SuppressedError ??
  ((globalThis as { [key: symbol]: SuppressedErrorConstructor })[Symbol.for("asyncwith.SuppressedError.v1")] ??=
    _ponyfill()))();

/** The message native `await using` gives the `SuppressedError`s it creates. */
const SUPPRESSED = "An error was suppressed during disposal";

/** Combines a disposer's error with the one in flight, as `await using` does. */
export const suppressed = (error: unknown, previous: unknown): SuppressedError =>
  new SuppressedError(error, previous, SUPPRESSED);

/** Whether `x` is an Error: `Error.isError` where the runtime has it (any realm), else `instanceof`. */
export const isError = (x: unknown): x is Error =>
  (Error as { isError?: (x: unknown) => x is Error }).isError?.(x) ?? x instanceof Error;

/** A value's built-in tag, as `Object.prototype.toString` gives it: "Error", "Generator", "AsyncFunction", … */
export const tagOf = (x: unknown): string => Object.prototype.toString.call(x).slice(8, -1);

/**
 * An exit that saw `previous` threw `next` instead: `next` replaces it. Like Python's implicit
 * `__context__`, `previous` stays reachable as `next.cause` (non-enumerable) unless `next` has a
 * cause of its own or is not extensible. SuppressedErrors get none: they carry their own chain.
 */
export function replaced(next: unknown, previous: unknown): unknown {
  // By name, not instanceof: asyncWith alone must not pull in the SuppressedError ponyfill.
  if (
    next !== previous &&
    isError(next) &&
    next.name !== "SuppressedError" &&
    !Object.hasOwn(next, "cause") &&
    Object.isExtensible(next)
  ) {
    define(next, "cause", previous);
  }
  return next;
}

/**
 * `options.signal`, checked: `options` nullish or an object, its `signal` nullish or an
 * AbortSignal (anything with `addEventListener` and `removeEventListener`, so a signal from another
 * realm or a polyfill passes). Anything else is a TypeError naming `where`: a misspelt or misplaced signal would
 * otherwise be ignored, and a block meant to be cancellable would wait forever.
 */
export function signalOf(options: unknown, where: string): AbortSignal | undefined {
  if (options == null) return undefined;
  if (Object(options) !== options) throw expected(`${where} options to be an object ({ signal })`, options);
  const signal = (options as { signal?: unknown }).signal;
  if (
    signal != null &&
    (typeof (signal as AbortSignal).addEventListener !== "function" ||
      typeof (signal as AbortSignal).removeEventListener !== "function")
  )
    throw expected(`${where} options.signal to be an AbortSignal`, signal);
  return (signal ?? undefined) as AbortSignal | undefined;
}

/**
 * Checks a factory's options: undefined or an object, each key of `types` undefined or of its type.
 * Options given as something else (a number, a string) or a setting of the wrong type
 * (`{ check: "no" }`) would be silently ignored or misread: a TypeError naming `where` instead.
 *
 * @example
 * checkOptions("childProcess()", options, { check: "boolean" }); // in a factory, before anything else
 */
export function checkOptions(
  where: string,
  options: unknown,
  types: Record<string, "boolean" | "string" | "function"> = {},
): void {
  if (options === undefined) return;
  if (Object(options) !== options) throw expected(`${where} options to be an object`, options);
  for (const key in types) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== types[key])
      throw expected(`${where} options.${key} to be a ${types[key]}`, value);
  }
}

/** Whether `error` is `reason`, or reaches it through its `cause` chain (a wrapped abort). */
export function causedBy(error: unknown, reason: unknown): boolean {
  for (let e = error, depth = 0; depth < 100; e = (e as { cause?: unknown }).cause, depth++) {
    if (e === reason) return true; // a null or undefined reason is a reason too
    if (e === null || typeof e !== "object") return false;
  }
  return false;
}

/**
 * The one error inside an `AggregateError` (nested ones too), or `error` itself when there is not
 * exactly one: what a `TaskGroup` with a single failure really failed with.
 *
 * @example
 * try {
 *   await asyncWith(new TaskGroup(), (group) => { group.spawn(fetchUser); group.spawn(fetchPosts); });
 * } catch (error) {
 *   const one = singleError(error);
 *   if (one instanceof NotFoundError) return notFound(); // else: several failed, or something else
 *   throw error;
 * }
 */
export function singleError(error: unknown): unknown {
  const leaves: unknown[] = [];
  const walk = (e: unknown, depth: number): void => {
    if (e instanceof AggregateError && depth < 100) for (const inner of e.errors) walk(inner, depth + 1);
    else leaves.push(e);
  };
  walk(error, 0);
  return error instanceof AggregateError && leaves.length === 1 ? leaves[0] : error;
}

/** A short description of a value for error messages: "42", "null", "a Promise (… await it first)". */
export function describe(x: unknown): string {
  return typeof x === "string"
    ? JSON.stringify(x)
    : Object(x) !== x // null, undefined or another primitive
      ? String(x)
      : typeof (x as PromiseLike<unknown>).then === "function"
        ? "a Promise (did you forget to await it?)"
        : typeof x === "function"
          ? "a function"
          : Array.isArray(x)
            ? "an array"
            : "an object";
}

/**
 * The error for entering a single-use manager twice, in the library's one wording.
 * @example if (entered) throw reused("fileLock"); // "Expected a fresh fileLock() manager, got one already entered: …"
 */
export const reused = (name: string): TypeError =>
  new TypeError(
    `Expected a fresh ${name}() manager, got one already entered: managers are single-use, call ${name}() again`,
  );

/** A TypeError in the library's one shape: "Expected <what>, got <what it was>". */
export const expected = (what: string, got: unknown, gotText = describe(got)): TypeError =>
  new TypeError(`Expected ${what}, got ${gotText}`);

function define(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}
