import { asyncWith, type Enterable } from "@asyncwith/core";
import type { Context, MiddlewareHandler } from "hono";
import { expected } from "@asyncwith/core/adapter";

/**
 * Hono middleware that holds a manager for each request. Hono catches a handler's error before it
 * reaches middleware (`await next()` returns normally and the error is in `c.error`), so the exit
 * path is chosen from `c.error`: the exit sees the handler's failure. With `key`, the manager's
 * value is set on the context (`c.get(key)`).
 *
 * @example
 * app.use("/transfer/*", asyncWithMiddleware((c) => durableLock(c.env.LOCKS, "transfers"), { key: "lock" }));
 */
export function asyncWithMiddleware<M extends Enterable>(
  manager: (c: Context) => M,
  options: { key?: string } = {},
): MiddlewareHandler {
  if (typeof manager !== "function")
    throw expected("asyncWithMiddleware() to be given (c) => manager, a fresh one per request", manager);
  return async (c, next) => {
    await asyncWith(manager(c), async (value) => {
      if (options.key) c.set(options.key as never, value as never);
      await next();
      if (c.error) throw c.error; // Hono kept the handler's error from us: take the failure path with it
    }).catch((error: unknown) => {
      if (error !== c.error) throw error; // an exit's own error (or next() throwing): Hono's onError gets it
    });
  };
}
