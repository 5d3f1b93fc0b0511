import { expected, reused, tagOf as tag } from "./errors.js";
import { type AsyncContextManager, type EnterOptions, type ExitOptions, type Failure, NO_OPTIONS } from "./protocol.js";
import { hooks } from "./hooks.js";
import { aenter, aexit, managerName } from "./symbols.js";

type Generator<T> = AsyncGenerator<T, unknown, undefined>;

// The options of the step a generator is running right now, readable by enterOptions() and
// exitOptions() while it runs synchronously: from its start to its first await (the enter), and
// from where it resumes after its yield to its next await (the exit). Set around the resuming
// call only: an async generator runs synchronously inside next()/throw() up to its first await.
let step: "enter" | "exit" | undefined;
let stepOptions: EnterOptions | ExitOptions | undefined;

/** Resumes `generator` (next or throw) with `options` readable as the current step's during its synchronous part. */
function resume<T>(
  which: "enter" | "exit",
  options: EnterOptions | ExitOptions | undefined,
  generator: Generator<T>,
  method: "next" | "throw",
  arg?: unknown,
): Promise<IteratorResult<T, unknown>> {
  const outerStep = step;
  const outerOptions = stepOptions;
  step = which;
  stepOptions = options;
  try {
    return generator[method](arg as never);
  } finally {
    step = outerStep;
    stepOptions = outerOptions;
  }
}

function optionsOf(which: "enter" | "exit"): EnterOptions & ExitOptions {
  if (step !== which)
    throw new TypeError(
      `Expected ${which}Options() to be called inside a contextManager() generator, in its ${which === "enter" ? "enter (before its yield)" : "exit (after its yield)"} and before the first await there, got ${step ? `a call in its ${step}` : "a call outside one, or after an await"}: read it first thing, and keep the signal`,
    );
  return stepOptions ?? NO_OPTIONS;
}

/**
 * Inside a `contextManager()` generator, before its `yield`: the enter's options, as `asyncWith(…,
 * { signal })`, `enterContext` or `enter()` passed them — a `signal` to give up waiting on. Read it
 * first thing, before any `await` (after one, it throws a TypeError saying so).
 *
 * @example
 * const pooled = contextManager(async function* (pool: Pool) {
 *   const { signal } = enterOptions();
 *   const conn = await pool.acquire({ signal }); // gives up when the caller's timeout fires
 *   try { yield conn; } finally { conn.release(); }
 * });
 */
export const enterOptions = (): EnterOptions => optionsOf("enter");

/**
 * Inside a `contextManager()` generator, after its `yield` (where it resumes, or in its `catch`):
 * the exit's options — a `signal` that aborts when whoever runs the exit stops waiting (see
 * `exitWithin`). Read it first thing there, before any `await`.
 *
 * @example
 * const session = contextManager(async function* (db: Db) {
 *   const tx = await db.begin();
 *   try { yield tx; } catch (error) {
 *     await tx.rollback({ signal: exitOptions().signal }); // cut short when the deadline passes
 *     throw error;
 *   }
 *   await tx.commit({ signal: exitOptions().signal });
 * });
 */
export const exitOptions = (): ExitOptions => optionsOf("exit");

/** Options of `contextManager`: the name shown in errors and traces, and whether its exit may suppress. */
export interface ContextManagerOptions {
  /**
   * The generator may suppress the block's error (catch it and finish without rethrowing). Then
   * `asyncWith` may resolve to `undefined`, and the types say so. Without it, a generator that
   * swallows the error is a TypeError that says how to declare it. Default: false.
   */
  suppresses?: boolean;
  /** How errors name the manager: `name()`. Default: the generator function's name (bundlers may rename it). */
  name?: string;
}

/**
 * The manager a `contextManager()` factory returns: enter runs the generator to its `yield`, exit
 * resumes it (or throws the block's error in at the `yield`). Single-use, like Python's. `Exit` is
 * `false` unless the factory was declared `{ suppresses: true }`.
 */
export class GeneratorContextManager<T, Exit extends boolean = boolean> implements AsyncContextManager<T, Exit> {
  #generator: Generator<T> | undefined;
  #fn: Function | undefined;
  #this: unknown;
  #args: unknown[];
  #suppresses: boolean;
  /** The generator function's name (or the one given), "" when anonymous. */
  #name: string;

  constructor(fn: Function, thisArg: unknown, args: unknown[], suppresses: boolean, name: string) {
    this.#fn = fn;
    this.#this = thisArg;
    this.#args = args;
    this.#suppresses = suppresses;
    this.#name = name;
  }

  /** How errors name it: `fileLock()` for `async function* fileLock()`, else "generator". */
  get #label(): string {
    return this.#name ? `${this.#name}()` : "generator";
  }

  /** The generator's name, for traces: `migrate`, or "contextManager" for an anonymous one. */
  get [managerName](): string {
    return this.#name || "contextManager";
  }

  // Plain promise chains rather than async functions: each async layer costs ticks on a path
  // that already pays for the generator's own.
  /** Runs the generator to its `yield`; the yielded value is the block's. Single use. */
  [aenter](options?: EnterOptions): Promise<T> {
    const fn = this.#fn;
    if (!fn) return Promise.reject(reused(this[managerName]));
    this.#fn = undefined;
    let generator: Generator<T>;
    try {
      generator = fn.apply(this.#this, this.#args); // its body starts at the first next()
    } catch (error) {
      return Promise.reject(error);
    }
    if (!isAsyncGenerator(generator))
      return Promise.reject(
        expected("an async generator from the contextManager() function", generator, kindOf(generator)),
      );
    this.#generator = generator;
    return resume("enter", options, generator, "next").then((step) => {
      if (step.done) throw new TypeError(`${this.#label} didn't yield`);
      hooks.track?.(this, this); // only once entered: a failed enter has nothing to leak
      return step.value;
    });
  }

  /** Resumes the generator: on success after its `yield`, on failure by throwing the error in at the `yield`. */
  [aexit](failure?: Failure, options?: ExitOptions): Promise<Exit> {
    const generator = this.#generator;
    if (!generator) return Promise.reject(new TypeError("not entered: [aexit] needs a successful [aenter] first"));
    this.#generator = undefined;
    hooks.untrack?.(this);
    if (!failure)
      return resume("exit", options, generator, "next").then<boolean>((step) =>
        step.done ? false : stop(generator, `${this.#label} didn't stop`),
      ) as Promise<Exit>;
    const error = failure.error;
    return resume("exit", options, generator, "throw", error).then<boolean, boolean>(
      // Finished after catching: suppressed, if declared. Yielded again: a protocol error.
      (step) =>
        !step.done
          ? stop(generator, `${this.#label} didn't stop after throw()`)
          : this.#suppresses || Promise.reject(undeclared(this.#label)),
      // Rethrown unchanged: not suppressed, and the original propagates untouched.
      (thrown) => (thrown === error ? false : Promise.reject(thrown)),
    ) as Promise<Exit>;
  }
}

const undeclared = (label: string) =>
  new TypeError(`${label} suppressed an error undeclared: use contextManager(fn, { suppresses: true })`);

/** Closes a generator that yielded twice, so its `finally` runs, then rejects with the protocol error. */
async function stop(generator: Generator<unknown>, message: string): Promise<never> {
  await generator.return(undefined);
  throw new TypeError(message);
}

const isAsyncGenerator = (x: unknown): x is Generator<unknown> =>
  x != null &&
  typeof (x as Generator<unknown>)[Symbol.asyncIterator] === "function" &&
  typeof (x as Generator<unknown>).throw === "function";

const kindOf = (x: unknown): string | undefined =>
  tag(x) === "Generator" ? "a sync generator: write async function*" : undefined;

/**
 * Python's `@asynccontextmanager`: turns an async generator function into a factory of managers.
 * Code before the `yield` is the enter, the yielded value goes to the block, code after it is the
 * exit. If the block throws, the error is thrown in at the `yield`: rethrow it to let it propagate
 * unchanged, throw another error to replace it, or — declared with `{ suppresses: true }` — catch
 * it and finish to suppress it. Undeclared, the block's result is typed `R`, never `undefined`.
 *
 * @example
 * const transaction = contextManager(async function* (db: Db) {
 *   const tx = await db.begin();
 *   try {
 *     yield tx;
 *     await tx.commit();
 *   } catch (error) {
 *     await tx.rollback();
 *     throw error;
 *   }
 * });
 * await asyncWith(transaction(db), (tx) => tx.insert(row));
 */
export function contextManager<A extends unknown[], T, This = unknown>(
  fn: (this: This, ...args: A) => AsyncGenerator<T, unknown, undefined>,
  options?: { suppresses?: false; name?: string },
): (this: This, ...args: A) => GeneratorContextManager<T, false>;
export function contextManager<A extends unknown[], T, This = unknown>(
  fn: (this: This, ...args: A) => AsyncGenerator<T, unknown, undefined>,
  options: ContextManagerOptions,
): (this: This, ...args: A) => GeneratorContextManager<T, boolean>;
export function contextManager<A extends unknown[], T, This = unknown>(
  fn: (this: This, ...args: A) => AsyncGenerator<T, unknown, undefined>,
  options: ContextManagerOptions = {},
): (this: This, ...args: A) => GeneratorContextManager<T, boolean> {
  const kind = typeof fn === "function" && tag(fn);
  if (!kind || kind === "GeneratorFunction" || kind === "AsyncFunction") {
    throw expected(
      "an async generator function (async function*)",
      fn,
      kind
        ? `${kind === "AsyncFunction" ? "an async" : "a sync generator"} function: write async function* and yield the value`
        : undefined,
    );
  }
  const suppresses = options?.suppresses === true;
  const name = options?.name ?? fn.name; // once per factory: reading fn.name is a getter call
  return function (this: This, ...args: A) {
    return new GeneratorContextManager<T, boolean>(fn, this, args, suppresses, name);
  };
}
