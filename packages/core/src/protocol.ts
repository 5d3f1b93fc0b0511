import { expected, suppressed } from "./errors.js";
import { aenter, aexit, managerName } from "./symbols.js";

/** What an exit learns about the block: `undefined` when it completed, `{ error }` when it threw. */
export type Failure = { readonly error: unknown };

/**
 * Python's async context manager: `[aenter]` gives the value, `[aexit]` sees how the block ended
 * and may suppress its error by returning (or resolving to) exactly `true`.
 */
export interface AsyncContextManager<T = unknown, Exit = boolean | void> {
  /** What it is called in traces and errors (optional; see `managerName`). */
  readonly [managerName]?: string;
  /**
   * Enters: acquires the resource; what it gives (or resolves to) is the block's value.
   * `options.signal`, when given, says when to give up waiting (a lock, a pool, a connection): an
   * enter that waits listens, and rejects with `signal.reason` without holding anything.
   */
  [aenter](options?: EnterOptions): T | PromiseLike<T>;
  /**
   * Exits: `failure` is `undefined` when the block succeeded, else `{ error }`. Returning exactly
   * `true` suppresses that error; throwing replaces it (the two meet as a `SuppressedError`, by
   * the rules in the core README). `options.signal`, when given, is the exits' deadline.
   */
  [aexit](failure?: Failure, options?: ExitOptions): Exit | PromiseLike<Exit>;
}

/**
 * What an enter may be given: `signal` aborts when whoever enters stops waiting for it — a timeout
 * or a task group around the block, passed on with `asyncWith(m, body, { signal })`.
 */
export interface EnterOptions {
  signal?: AbortSignal;
}

/**
 * What an exit may be given besides the failure: `signal` aborts when whoever runs the exit stops
 * waiting for it (see `exitWithin`). An exit that can hurry (drop a drain, skip a flush) listens.
 */
export interface ExitOptions {
  signal?: AbortSignal;
}

/** The options an enter or exit sees when its caller passed none: one shared, frozen empty object. */
export const NO_OPTIONS: EnterOptions & ExitOptions = /* @__PURE__ */ Object.freeze({});

/** Anything accepted where a manager is: a manager, or an object with `Symbol.asyncDispose`/`Symbol.dispose`. */
export type Enterable = AsyncContextManager<any, any> | AsyncDisposable | Disposable;

/** The values a block receives from a list of managers, in order. */
export type Values<Ms extends readonly unknown[]> = { -readonly [K in keyof Ms]: ContextValue<Ms[K]> };

/** The value a block receives: what `[aenter]` resolves to, or the disposable object itself. */
export type ContextValue<M> = M extends { [aenter](): infer T }
  ? Awaited<T>
  : M extends AsyncDisposable | Disposable
    ? M
    : never;

/** `boolean` when the manager's exit may suppress (its type admits `true`), else `false`; distributes over unions. */
export type ExitType<M> = M extends { [aexit](...args: any[]): infer X }
  ? true extends Awaited<X>
    ? boolean
    : false
  : false;

/** `R`, or `R | undefined` when the manager's exit may suppress (its exit type admits `true`). */
export type WithResult<M, R> = M extends { [aexit](...args: any[]): infer X }
  ? true extends Awaited<X>
    ? R | undefined
    : R
  : R;

/**
 * Validates `x` and returns it as a manager; disposables are wrapped. Throws a TypeError that says
 * what was expected and what was got. Nothing is called here, so validation enters nothing.
 */
export function toManager(x: unknown): AsyncContextManager {
  let got;
  // typeof, not Object(x) === x: on the path of every block, and slower on Node 20 (an A/B, ~4%).
  if (x !== null && (typeof x === "object" || typeof x === "function")) {
    const o = x as Partial<AsyncContextManager>;
    const hasEnter = typeof o[aenter] === "function";
    const hasExit = typeof o[aexit] === "function";
    if (hasEnter && hasExit) return o as AsyncContextManager;
    if (hasEnter === hasExit) {
      const found = disposerOf(o);
      if (found) return new DisposableManager(o, found[0], found[1]);
    } else got = `an object with ${hasEnter ? "[aenter] but no [aexit]" : "[aexit] but no [aenter]"}`;
  }
  throw expected(
    "an async context manager (with [aenter] and [aexit]) or a disposable (with Symbol.asyncDispose or Symbol.dispose)",
    x,
    got,
  );
}

/**
 * TC39's lookup: `Symbol.asyncDispose` read once; only when it is null or undefined,
 * `Symbol.dispose`. Returns the method and whether it is the sync one, or nothing.
 */
export function disposerOf(o: object): [method: Function, sync: boolean] | undefined {
  let method = (o as Partial<AsyncDisposable>)[Symbol.asyncDispose];
  const sync = method == null;
  if (sync) method = (o as Partial<Disposable>)[Symbol.dispose] as never;
  if (method == null) return undefined;
  if (typeof method !== "function")
    throw expected(`${sync ? "Symbol.dispose" : "Symbol.asyncDispose"} to be a function`, method);
  return [method, sync];
}

/** A disposable seen as a manager: its value is itself; its exit cannot see or suppress the error. */
export class DisposableManager implements AsyncContextManager<object, false> {
  // Declared, not defined: the constructor's assignments are the fields (no second copy in the bundle).
  declare target: object;
  declare dispose: Function;
  declare sync: boolean;
  constructor(target: object, dispose: Function, sync: boolean) {
    this.target = target;
    this.dispose = dispose;
    this.sync = sync;
  }
  [aenter](): object {
    return this.target;
  }
  async [aexit](failure?: Failure): Promise<false> {
    try {
      const result = this.dispose.call(this.target);
      if (!this.sync) await result; // a sync disposer's return value is ignored, as in `await using`
    } catch (error) {
      throw failure ? suppressed(error, failure.error) : error;
    }
    return false;
  }
}

// The few global types the declarations above name, declared the way @types/node does, so that a
// project with only `lib: ["ES2022"]` type-checks too. Each merges with the real one where a lib
// (ESNext.Disposable, DOM, @types/node, Workers types) declares it; none adds anything at run time.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
  interface Disposable {
    /** Releases the resource (TC39 explicit resource management). */
    [Symbol.dispose](): void;
  }
  interface AsyncDisposable {
    /** Releases the resource; `await using` awaits it (TC39 explicit resource management). */
    [Symbol.asyncDispose](): PromiseLike<void>;
  }
  interface AbortSignal {}
}
