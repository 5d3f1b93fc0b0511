import { AsyncExitStack } from "./exit-stack.js";
import { checkOptions, expected, suppressed } from "./errors.js";
import {
  type AsyncContextManager,
  type ContextValue,
  type Enterable,
  type EnterOptions,
  type ExitOptions,
  type ExitType,
  type Failure,
  type Values,
  toManager,
} from "./protocol.js";
import { nameOf } from "./names.js";
import { aenter, aexit, managerName } from "./symbols.js";
import { TimeoutError } from "./timeout.js";

/** Options of `exitWithin`: the name its errors and traces carry. */
export interface ExitWithinOptions {
  /** How the `TimeoutError` names the manager. Default: its own name (`managerName`, its class), else "manager". */
  name?: string;
}

/**
 * Gives `manager`'s exit at most `ms` milliseconds, so shutdown can never hang on one stuck
 * resource. The exit gets an `AbortSignal` (as `options.signal`, its second argument) that aborts
 * at the deadline; after it the exit is abandoned and this one fails with a `TimeoutError` naming
 * the manager (the block's error in flight becomes its `cause`, by the usual rule). The exit runs
 * on every path, a cancelled block's included.
 *
 * @example
 * await asyncWith([exitWithin(5_000, server(app)), exitWithin(2_000, connection(url))], run);
 */
export function exitWithin<M extends Enterable>(
  ms: number,
  manager: M,
  options: ExitWithinOptions = {},
): AsyncContextManager<ContextValue<M>, ExitType<M>> {
  if (typeof ms !== "number" || !(ms >= 0))
    throw expected("exitWithin(ms) to be a non-negative number of milliseconds", ms);
  checkOptions("exitWithin()", options, { name: "string" });
  const m = toManager(manager);
  const name = options.name ?? nameOf(manager);
  return {
    [managerName]: name,
    [aenter]: (enterOptions?: EnterOptions) => m[aenter](enterOptions) as ContextValue<M>,
    async [aexit](failure?: Failure, exitOptions?: ExitOptions) {
      const controller = new AbortController();
      // An outer deadline (exitWithin around exitWithin, or around a stack) hurries this exit too.
      const outer = exitOptions?.signal;
      const follow = () => controller.abort(outer!.reason);
      if (outer?.aborted) follow();
      else outer?.addEventListener("abort", follow, { once: true });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new TimeoutError(`${name}'s exit did not finish within ${ms} ms, so it was abandoned`);
          controller.abort(error);
          reject(error);
        }, ms);
      });
      const exit = Promise.resolve().then(() => m[aexit](failure, { signal: controller.signal }));
      exit.catch(() => {}); // an abandoned exit may still fail later: never an unhandled rejection
      try {
        return ((await Promise.race([exit, deadline])) === true) as ExitType<M>;
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", follow);
      }
    },
  };
}

/** Options of `concurrently`: whether the managers' exits run in parallel. */
export interface ConcurrentlyOptions {
  /** Run the exits at once instead of in reverse order, one by one. Default: false. */
  parallelExit?: boolean;
}

/**
 * Enters several managers at the same time (their enters start together) and gives the block their
 * values in list order. If an enter fails, the managers that did enter are exited, seeing that
 * failure, and it propagates; further enter failures meet it as in `await using`
 * (`SuppressedError(later, earlier)`). Exits run in reverse list order, one by one — or, with
 * `parallelExit`, at once, each seeing the same failure (it is suppressed only if every exit
 * suppresses it).
 *
 * @example
 * await asyncWith(concurrently([connection(primary), connection(replica), cacheClient()]), ([db, ro, cache]) => serve(db, ro, cache));
 */
export function concurrently<const Ms extends readonly Enterable[]>(
  managers: Ms,
  options: ConcurrentlyOptions = {},
): AsyncContextManager<Values<Ms>, ExitType<Ms[number]>> {
  if (!Array.isArray(managers)) throw expected("concurrently() to be given an array of managers", managers);
  checkOptions("concurrently()", options, { parallelExit: "boolean" });
  const ms = managers.map(toManager);
  let entered: AsyncContextManager[] = [];
  return {
    [managerName]: "concurrently",
    async [aenter](enterOptions?: EnterOptions) {
      const failures: unknown[] = [];
      const values = await Promise.all(
        ms.map((m) =>
          Promise.resolve()
            .then(() => m[aenter](enterOptions))
            .then(
              (value) => ({ ok: true as const, value }),
              (error: unknown) => (failures.push(error), { ok: false as const }),
            ),
        ),
      );
      entered = ms.filter((_, i) => values[i]!.ok);
      if (failures.length === 0) return values.map((v) => (v.ok ? v.value : undefined)) as Values<Ms>;
      const error = failures.slice(1).reduce((inFlight, next) => suppressed(next, inFlight), failures[0]);
      await exitAll(entered, { error }, false); // may replace it, never suppress it: there is no value to give
      throw error;
    },
    [aexit](failure?: Failure, exitOptions?: ExitOptions) {
      // The exit's options (a deadline's signal, from exitWithin around this) go to every exit.
      return exitAll(entered, failure, options.parallelExit === true, exitOptions) as Promise<ExitType<Ms[number]>>;
    },
  };
}

async function exitAll(
  managers: AsyncContextManager[],
  failure: Failure | undefined,
  parallel: boolean,
  options?: ExitOptions,
): Promise<boolean> {
  if (!parallel) {
    const stack = new AsyncExitStack();
    for (const m of managers) stack.push(m);
    return stack[aexit](failure, options);
  }
  const outcomes = await Promise.allSettled(
    managers.map((m) => Promise.resolve().then(() => m[aexit](failure, options))),
  );
  const thrown = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
  if (thrown.length) throw thrown.slice(1).reduce((inFlight, next) => suppressed(next, inFlight), thrown[0]);
  return failure !== undefined && outcomes.every((o) => o.status === "fulfilled" && o.value === true);
}
