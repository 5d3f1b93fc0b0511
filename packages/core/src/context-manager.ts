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
  #start: (() => unknown) | undefined;

  constructor(start: () => unknown) {
    this.#start = start;
  }

  async [aenter](): Promise<T> {
    const start = this.#start;
    if (!start) throw new TypeError("already entered; contextManager() instances are single-use: call the factory again");
    this.#start = undefined;
    const generator = start() as Generator<T>;
    if (!isAsyncGenerator(generator)) throw expected("an async generator from the contextManager() function", generator, kindOf(generator));
    this.#generator = generator;
    const step = await generator.next();
    if (step.done) throw new TypeError("generator didn't yield");
    return step.value;
  }

  async [aexit](failure?: Failure): Promise<boolean> {
    const generator = this.#generator;
    if (!generator) throw new TypeError("not entered: [aexit] needs a successful [aenter] first");
    this.#generator = undefined;
    if (!failure) {
      if ((await generator.next()).done) return false;
      throw await stop(generator, "generator didn't stop");
    }
    let step;
    try {
      step = await generator.throw(failure.error);
    } catch (error) {
      if (error === failure.error) return false; // rethrown unchanged: let the original propagate
      throw error;
    }
    if (step.done) return true; // the generator caught the error and finished: suppressed
    throw await stop(generator, "generator didn't stop after throw()");
  }
}

/** Closes a generator that yielded twice, so its `finally` runs, and returns the protocol error. */
async function stop(generator: Generator<unknown>, message: string): Promise<TypeError> {
  await generator.return(undefined);
  return new TypeError(message);
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
    return new GeneratorContextManager<T>(() => fn.apply(this, args));
  };
}
