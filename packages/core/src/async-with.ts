import { runBlock } from "./block.js";
import {
  type ContextValue,
  type Enterable,
  type EnterOptions,
  type Values,
  type WithResult,
  toManager,
} from "./protocol.js";

/** What `asyncWith([m1, m2, …], body)` resolves to: the body's result, or `undefined` where an exit may suppress. */
export type ManyResult<Ms extends readonly unknown[], R> = Ms[number] extends infer M
  ? M extends unknown
    ? WithResult<M, R>
    : never
  : never;

/**
 * Python's `async with`: awaits the manager's enter, calls `body(value)`, then awaits its exit
 * with the outcome — on every path — and returns the body's result (`undefined` when the exit
 * suppressed an error). Given an array, enters left to right, passes the tuple of values and
 * exits right to left; a manager that fails to enter is exited by none, the ones before it are.
 * `options.signal` goes to every enter: a lock or pool that waits gives up when it aborts (the
 * block then rejects with its reason, and nothing was entered); an aborted one enters nothing.
 *
 * @example
 * await asyncWith(timeout(1_000), ({ signal }) => asyncWith(lock, () => write(config), { signal }));
 *
 * @example
 * const rows = await asyncWith(transaction(db), async (tx) => {
 *   await tx.insert(order);
 *   return tx.select(); // commits on success, rolls back if anything above throws
 * });
 *
 * @example
 * await asyncWith([lock, openFile("log.txt", "a")], async ([, file]) => {
 *   await file.write("one writer at a time\n");
 * });
 */
export function asyncWith<const Ms extends readonly Enterable[], R>(
  managers: Ms,
  body: (values: Values<Ms>) => R,
  options?: EnterOptions,
): Promise<ManyResult<Ms, Awaited<R>>>;
export function asyncWith<M extends Enterable, R>(
  manager: M,
  body: (value: ContextValue<M>) => R,
  options?: EnterOptions,
): Promise<WithResult<M, Awaited<R>>>;
export function asyncWith(manager: unknown, body: (value: any) => unknown, options?: EnterOptions): Promise<unknown> {
  // Not async: the block's own promise is returned as is, adding no tick to the one lifecycle.
  return Array.isArray(manager) ? withAll(manager, body, options) : runBlock(manager, body, options);
}

// Several managers are entered exactly as nested blocks would be: the same rules, by construction.
// All are checked before the first is entered.
async function withAll(
  managers: unknown[],
  body: (values: unknown[]) => unknown,
  options: EnterOptions | undefined,
): Promise<unknown> {
  const checked = managers.map(toManager);
  const values: unknown[] = [];
  const nest = (i: number): unknown =>
    i === checked.length ? body(values) : runBlock(checked[i]!, (value) => nest(values.push(value)), options);
  return nest(0);
}
