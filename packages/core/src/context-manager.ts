import { expected } from "./errors.js";
import type { AsyncContextManager, Failure } from "./protocol.js";
import { aenter, aexit } from "./symbols.js";

type Generator<T> = AsyncGenerator<T, unknown, undefined>;

/**
 * The manager a `contextManager()` factory returns: enter runs the generator to its `yield`, exit
 * resumes it (or throws the block's error in at the `yield`). Single-use, like Python's.
 */
export class GeneratorContextManager<T> implements AsyncContextManager<T, boolean> {
  #generator: Generator<T> | undefined;
  #fn: Function | undefined;
  #this: unknown;
  #args: unknown[];

  constructor(fn: Function, thisArg: unknown, args: unknown[]) {
    this.#fn = fn;
    this.#this = thisArg;
    this.#args = args;
  }

  // Plain promise chains rather than async functions: each async layer costs ticks on a path
  // that already pays for the generator's own.
  [aenter](): Promise<T> {
    const fn = this.#fn;
    if (!fn) return Promise.reject(new TypeError("already entered; contextManager() instances are single-use: call the factory again"));
    this.#fn = undefined;
    let generator: Generator<T>;
    try {
      generator = fn.apply(this.#this, this.#args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!isAsyncGenerator(generator)) return Promise.reject(expected("an async generator from the contextManager() function", generator, kindOf(generator)));
    this.#generator = generator;
    return generator.next().then(yielded);
  }

  [aexit](failure?: Failure): Promise<boolean> {
    const generator = this.#generator;
    if (!generator) return Promise.reject(new TypeError("not entered: [aexit] needs a successful [aenter] first"));
    this.#generator = undefined;
    if (!failure) return generator.next().then((step) => step.done ? false : stop(generator, "generator didn't stop"));
    const error = failure.error;
    return generator.throw(error).then(
      // Finished after catching: suppressed. Yielded again: a protocol error.
      (step) => step.done || stop(generator, "generator didn't stop after throw()"),
      // Rethrown unchanged: not suppressed, and the original propagates untouched.
      (thrown) => (thrown === error ? false : Promise.reject(thrown)),
    );
  }
}

function yielded<T>(step: IteratorResult<T, unknown>): T {
  if (step.done) throw new TypeError("generator didn't yield");
  return step.value;
}

/** Closes a generator that yielded twice, so its `finally` runs, then rejects with the protocol error. */
async function stop(generator: Generator<unknown>, message: string): Promise<never> {
  await generator.return(undefined);
  throw new TypeError(message);
}

const isAsyncGenerator = (x: unknown): x is Generator<unknown> =>
  x != null && typeof (x as Generator<unknown>)[Symbol.asyncIterator] === "function" && typeof (x as Generator<unknown>).throw === "function";

const tag = (x: unknown): string => Object.prototype.toString.call(x).slice(8, -1);

const kindOf = (x: unknown): string | undefined => (tag(x) === "Generator" ? "a sync generator: write async function*" : undefined);

/**
 * Python's `@asynccontextmanager`: turns an async generator function into a factory of managers.
 * Code before the `yield` is the enter, the yielded value goes to the block, code after it is the
 * exit. If the block throws, the error is thrown in at the `yield`: catch it and finish to
 * suppress it, rethrow it to let it propagate unchanged, or throw another error to replace it.
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
  fn: (this: This, ...args: A) => Generator<T>,
): (this: This, ...args: A) => GeneratorContextManager<T> {
  const kind = typeof fn === "function" && tag(fn);
  if (!kind || kind === "GeneratorFunction" || kind === "AsyncFunction") {
    throw expected("an async generator function (async function*)", fn, kind ? `${kind === "AsyncFunction" ? "an async" : "a sync generator"} function: write async function* and yield the value` : undefined);
  }
  return function (this: This, ...args: A) {
    return new GeneratorContextManager<T>(fn, this, args);
  };
}
