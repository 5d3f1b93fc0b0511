import { replaced } from "./errors.js";
import { type ContextValue, type Enterable, type Values, type WithResult, toManager } from "./protocol.js";
import { hooks } from "./hooks.js";
import { aenter, aexit } from "./symbols.js";

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
export async function asyncWith<const Ms extends readonly Enterable[], R>(
  managers: Ms,
  body: (values: Values<Ms>) => R,
): Promise<ManyResult<Ms, Awaited<R>>>;
export async function asyncWith<M extends Enterable, R>(
  manager: M,
  body: (value: ContextValue<M>) => R,
): Promise<WithResult<M, Awaited<R>>>;
export async function asyncWith(manager: unknown, body: (value: any) => unknown): Promise<unknown> {
  if (Array.isArray(manager)) return withAll(manager.map(toManager), body);
  const m = toManager(manager);
  const watched = hooks.with?.(m, body); // someone watches: the same steps, reported
  if (watched) return watched;
  // Same awaits as a hand-written `await enter(); try { await body() } finally { await exit() }`.
  const value = await m[aenter]();
  let result;
  try {
    result = await body(value);
  } catch (error) {
    let suppress;
    try {
      suppress = await m[aexit]({ error });
    } catch (exitError) {
      throw replaced(exitError, error);
    }
    if (suppress === true) return undefined;
    throw error;
  }
  await m[aexit]();
  return result;
}

// Several managers are entered exactly as nested blocks would be: the same rules, by construction.
function withAll(managers: Enterable[], body: (values: unknown[]) => unknown): unknown {
  const values: unknown[] = [];
  const nest = (i: number): unknown =>
    i === managers.length ? body(values) : asyncWith(managers[i]!, (value) => nest(values.push(value)));
  return nest(0);
}
