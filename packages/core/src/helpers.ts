import { expected } from "./errors.js";
import type { AsyncContextManager, Failure } from "./protocol.js";
import { aenter, aexit, managerName } from "./symbols.js";

/** What `suppress` matches an error with: an error class (`instanceof`), or a predicate. */
export type ErrorMatcher = (abstract new (...args: any[]) => Error) | ((error: unknown) => unknown);

/**
 * Python's `suppress`: a reusable manager whose exit swallows errors that match. A matcher that
 * is `Error` or a subclass matches by `instanceof`; any other function is a predicate.
 *
 * @example
 * await asyncWith(suppress(NotFoundError, (e) => (e as Error).name === "AbortError"), () => cache.delete(key));
 */
export function suppress(...matchers: ErrorMatcher[]): AsyncContextManager<void, boolean> {
  if (matchers.length === 0)
    throw new TypeError("Expected suppress() to be given at least one error class or predicate, got none");
  for (const m of matchers)
    if (typeof m !== "function") throw expected("suppress() to be given error classes or predicates", m);
  const matches = (error: unknown) =>
    matchers.some((m) =>
      m === Error || m.prototype instanceof Error ? error instanceof m : (m as (e: unknown) => unknown)(error),
    );
  return {
    [managerName]: "suppress",
    [aenter]() {},
    [aexit]: (failure?: Failure) => failure !== undefined && matches(failure.error),
  };
}

/**
 * Python's `nullcontext`: gives `value` and does nothing on exit. For an optional manager.
 * @example await asyncWith(lock ?? nullContext(), () => work());
 */
export function nullContext<T = undefined>(value?: T): AsyncContextManager<T, false> {
  return { [managerName]: "nullContext", [aenter]: () => value as T, [aexit]: () => false };
}

/**
 * Python's `closing`: gives `x` and awaits `x.close()` on exit, on every path.
 * @example await asyncWith(closing(db.cursor()), (cursor) => cursor.fetchAll());
 */
export function closing<T extends { close(): unknown }>(x: T): AsyncContextManager<T, false> {
  method(x, "close", "closing");
  return { [managerName]: "closing", [aenter]: () => x, [aexit]: async () => (await x.close(), false as const) };
}

/**
 * Python's `aclosing`: gives `x` and on exit awaits `x.return()` (ending an async generator early
 * so its `finally` runs) when present, else `x.close()`.
 * @example await asyncWith(aclosing(readLines(file)), async (lines) => { for await (const l of lines) if (l === "END") break });
 */
export function aclosing<T extends { return(): unknown } | { close(): unknown }>(x: T): AsyncContextManager<T, false> {
  const name = x != null && typeof (x as { return?: unknown }).return === "function" ? "return" : "close";
  method(x, name, "aclosing", " or return()");
  return {
    [managerName]: "aclosing",
    [aenter]: () => x,
    [aexit]: async () => (await (x as unknown as Record<string, () => unknown>)[name]!(), false as const),
  };
}

function method(x: unknown, name: string, fn: string, or = ""): void {
  if (x == null || typeof (x as Record<string, unknown>)[name] !== "function") {
    throw expected(`${fn}() to be given an object with a ${name}()${or} method`, x);
  }
}
