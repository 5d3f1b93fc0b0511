import { expected } from "./errors.js";
import {
  type AsyncContextManager,
  type ContextValue,
  DisposableManager,
  type Enterable,
  type EnterOptions,
  type ExitOptions,
  type Failure,
  disposerOf,
  toManager,
} from "./protocol.js";
import { enterStep, exitStep } from "./block.js";
import { hooks } from "./hooks.js";
import type { Block } from "./observe.js";
import { aenter, aexit } from "./symbols.js";
import {
  ADOPT,
  CALL,
  DISPOSE,
  DISPOSE_SYNC,
  EXIT,
  MANAGER,
  NULL,
  PY_DISPOSE,
  PY_DISPOSE_SYNC,
  unwind,
  type UnwindOptions,
  WATCHED,
} from "./unwind.js";

/**
 * A `push` callback: sees the failure (or `undefined`) and may suppress it by returning `true`.
 * `options` are the stack's own exit options (a deadline's signal, see `exitWithin`).
 */
export type ExitCallback = (failure?: Failure, options?: ExitOptions) => boolean | void | PromiseLike<boolean | void>;

/**
 * Python's `contextlib.AsyncExitStack` and TC39's `AsyncDisposableStack` in one: a LIFO stack of
 * exits that is itself a manager. Exits registered with `push`/`enterContext` see the failure and
 * may suppress or replace it; `use`/`adopt`/`defer`/`callback` disposers cannot, and their errors
 * combine as in `await using` (`SuppressedError`).
 *
 * @example
 * await asyncWith(new AsyncExitStack(), async (stack) => {
 *   const files = await Promise.all(paths.map((p) => stack.enterContext(openFile(p))));
 *   stack.defer(() => console.log("closing", files.length, "files"));
 *   // every file is closed when the block ends, in reverse order, whatever happens
 * });
 */
export class AsyncExitStack implements AsyncContextManager<AsyncExitStack, boolean>, AsyncDisposable {
  #entries: unknown[] = [];
  #disposed = false;

  /** True once the stack has been unwound (or moved); adding to it then throws a ReferenceError. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Enters `manager` and registers its exit, only once the enter succeeded. Resolves to its value.
   * `options.signal` goes to the enter (see `asyncWith`).
   * @example const db = await stack.enterContext(connection(url));
   */
  async enterContext<M extends Enterable>(manager: M, options?: EnterOptions): Promise<ContextValue<M>> {
    this.#live("enterContext");
    const m = toManager(manager);
    const block = hooks.watch?.open(m);
    const value = await (block ? enterAttached(m, block, options) : enterStep(m, block, options));
    if (this.#disposed) await exitLate(m, block); // the stack was unwound while entering: don't leak
    // A watched entry carries its block one slot below, and says so in its kind (unwind.ts).
    const watched = block ? (this.#entries.push(block), WATCHED) : 0;
    if (m instanceof DisposableManager)
      this.#entries.push(m.target, m.dispose, (m.sync ? PY_DISPOSE_SYNC : PY_DISPOSE) + watched);
    else this.#entries.push(m, undefined, MANAGER + watched);
    return value as ContextValue<M>;
  }

  /**
   * Registers an exit that sees the failure: a function `(failure) => boolean | void`, a manager
   * (its `[aexit]`, without entering it) or a disposable. Returns its argument.
   * @example stack.push((failure) => { if (failure) log.warn("rolled back", failure.error) });
   */
  push<X extends ExitCallback | Pick<AsyncContextManager, typeof aexit> | AsyncDisposable | Disposable>(exit: X): X {
    const entries = this.#live("push");
    // A manager first, even a callable one: Python's push_async_exit looks for __aexit__ first too.
    if (typeof (exit as { [aexit]?: unknown } | null)?.[aexit] === "function") entries.push(exit, undefined, MANAGER);
    else if (typeof exit === "function") entries.push(exit, undefined, EXIT);
    else use(entries, exit, "push() to be given a function, a manager or a disposable", false);
    return exit;
  }

  /**
   * Registers `fn(...args)`, which cannot see or suppress the failure. Returns `fn`.
   * @typeParam F - the callback's type: `args` are checked against its parameters.
   * @example stack.callback(fs.rm, tmpDir, { recursive: true, force: true });
   */
  callback<F extends (...args: any[]) => unknown>(fn: F, ...args: Parameters<F>): F {
    const entries = this.#live("callback");
    entries.push(callable(fn, "callback"), args.length ? args : undefined, CALL);
    return fn;
  }

  /**
   * TC39: registers `value`'s `Symbol.asyncDispose` (or `Symbol.dispose`). Returns `value`. As
   * in the spec, null and undefined register nothing to call, but disposal still awaits once.
   * @example const reader = stack.use(await openReader());
   */
  use<T extends AsyncDisposable | Disposable | null | undefined>(value: T): T {
    const entries = this.#live("use");
    if (value != null)
      use(entries, value, "use() to be given a disposable (with Symbol.asyncDispose or Symbol.dispose)", true);
    else entries.push(undefined, undefined, NULL);
    return value;
  }

  /**
   * TC39: registers `onDispose(value)` for a value that is not disposable itself. Returns `value`.
   * @example const handle = stack.adopt(await open(path), (h) => h.close());
   */
  adopt<T>(value: T, onDispose: (value: T) => unknown): T {
    this.#live("adopt").push(callable(onDispose, "adopt"), value, ADOPT);
    return value;
  }

  /**
   * TC39: registers `onDispose()`, called with no arguments.
   * @example stack.defer(() => clearInterval(timer));
   */
  defer(onDispose: () => unknown): void {
    this.#live("defer").push(callable(onDispose, "defer")); // a bare function: the cheapest entry
  }

  /**
   * TC39: moves every exit to a new stack and marks this one disposed.
   * @example const owned = stack.move(); // hand the resources to the caller
   */
  move(): AsyncExitStack {
    const next = this.#take("move");
    this.#disposed = true;
    return next;
  }

  /**
   * Python: moves every exit to a new stack; this one stays usable, and empty.
   * @example const keep = stack.popAll(); // nothing is closed when `stack` exits
   */
  popAll(): AsyncExitStack {
    return this.#take("popAll");
  }

  /**
   * Python: unwinds every exit as on success (exits see no failure). Use it to close the stack
   * explicitly, e.g. as the last statement of an `await using` block to take the success path.
   * @example await stack.aclose();
   */
  aclose(): Promise<void> {
    return this.#close(undefined, { rethrow: true }) as Promise<void>;
  }

  /**
   * TC39: unwinds every exit, once. It cannot know whether a block failed, so exits that see
   * failures are told it did (see the README, "await using"); use `aclose()` for success.
   * `[Symbol.asyncDispose]` calls it.
   * @example await stack.disposeAsync();
   */
  disposeAsync(): Promise<void> {
    // A built-in async method: misuse rejects, never throws (e.g. a detached `stack.disposeAsync`).
    if (!(this && typeof this === "object" && #entries in this)) {
      return Promise.reject(expected("disposeAsync() to be called on an AsyncExitStack", this));
    }
    return this.#close(undefined, { blind: true, rethrow: true }) as Promise<void>;
  }

  /** `disposeAsync()`, for `await using stack = new AsyncExitStack()`. */
  [Symbol.asyncDispose](): Promise<void> {
    // disposeAsync() itself rejects a foreign `this`; a subclass's own disposeAsync is honoured.
    return this && typeof this === "object" && #entries in this
      ? this.disposeAsync()
      : AsyncExitStack.prototype.disposeAsync.call(this);
  }

  get [Symbol.toStringTag](): string {
    return "AsyncExitStack";
  }

  /** The stack is its own manager: entering gives the stack. */
  [aenter](): this {
    return this;
  }

  /**
   * Unwinds every registered exit, last in first out, each seeing the failure as it stands then.
   * `options` (a deadline's signal, see `exitWithin`) goes to every exit that sees failures.
   */
  async [aexit](failure?: Failure, options?: ExitOptions): Promise<boolean> {
    const left = await this.#close(failure, { exit: options });
    if (!left) return !!failure;
    if (failure && left.error === failure.error) return false;
    throw left.error;
  }

  /** Unwinds once; later calls resolve at once. `rethrow` rejects with what is left in flight. */
  #close(failure: Failure | undefined, how: UnwindOptions): Promise<Failure | undefined> {
    if (this.#disposed) return Promise.resolve(undefined);
    this.#disposed = true;
    const entries = this.#entries;
    this.#entries = [];
    return unwind(entries, failure, how);
  }

  /** A new stack holding every exit, this one left empty (`method` names the caller in its error). */
  #take(method: "move" | "popAll"): AsyncExitStack {
    const next = new AsyncExitStack();
    next.#entries = this.#live(method);
    this.#entries = [];
    return next;
  }

  /** The entries, once checked that the stack may still grow (TC39 checks this first). */
  #live(method: string): unknown[] {
    if (this.#disposed)
      throw new ReferenceError(
        `Expected a live AsyncExitStack for ${method}(), got a disposed one: create a new stack, or move() the exits out before disposing.`,
      );
    return this.#entries;
  }
}

function use(entries: unknown[], value: unknown, what: string, tc39: boolean): void {
  // A function is an object too, as in the spec. (typeof: on a hot path, Object(x) === x is slower on Node 20.)
  const found =
    (typeof value === "object" && value !== null) || typeof value === "function" ? disposerOf(value) : undefined;
  if (!found) throw expected(what, value);
  entries.push(value, found[0], tc39 ? (found[1] ? DISPOSE_SYNC : DISPOSE) : found[1] ? PY_DISPOSE_SYNC : PY_DISPOSE);
}

function callable<F>(fn: F, method: string): F {
  if (typeof fn !== "function") throw expected(`${method}() to be given a function`, fn);
  return fn;
}

/** A watched enter whose body is the caller's code: the block attached to the caller, its enter run by observers. */
function enterAttached(m: AsyncContextManager, block: Block, options: EnterOptions | undefined): unknown {
  hooks.watch!.attach(block);
  return hooks.watch!.run(block, "enter", enterStep, m, block, options);
}

async function exitLate(m: AsyncContextManager, block: Block | undefined): Promise<never> {
  const error = new ReferenceError(
    "The AsyncExitStack was disposed while enterContext() was entering; the manager was exited again.",
  );
  await exitStep(m, block, { error });
  throw error;
}
