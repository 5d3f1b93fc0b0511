import { asyncWith, type Enterable, type Failure } from "@asyncwith/core";
import type { Context, MiddlewareHandler } from "hono";
import { expected } from "@asyncwith/core/adapter";
import { type ExecutionContextLike, RequestScope } from "./request-scope.js";

/**
 * Hono middleware that holds a manager for each request, until the response's body has been sent
 * (a `stream()`ed body included). Hono catches a handler's error before it reaches middleware
 * (`await next()` returns normally and the error is in `c.error`), so the exit path is chosen from
 * `c.error`: the exit sees the handler's failure; a body that fails or a client that leaves is a
 * failure too. With `key`, the manager's value is set on the context (`c.get(key)`).
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
    const scope = new RequestScope(_executionContext(c), `${c.req.method} ${c.req.url}`);
    await asyncWith(scope, async () => {
      const value = await scope.enterContext(manager(c));
      if (options.key) c.set(options.key as never, value as never);
      await next();
      if (c.error) throw c.error; // Hono kept the handler's error from us: take the failure path with it
      c.res = scope.exitAfterBody(_failingAtEnd(c));
    }).catch((error: unknown) => {
      if (error !== c.error) throw error; // an exit's own error (or next() throwing): Hono's onError gets it
    });
  };
}

/**
 * The `onError` for hono/streaming's `stream()`, `streamText()` and `streamSSE()`. Hono logs a failed
 * stream callback and ends the body cleanly, so the block would see success; with this, the
 * middleware's exits see the error and the client gets a cut-off body instead of a clean end.
 * `then` runs first, for a last message to the client.
 * @example
 * app.get("/feed", (c) => stream(c, async (s) => { await s.write(await nextChunk()); }, onStreamError(c)));
 */
export function onStreamError<S>(
  c: Context,
  then?: (error: Error, stream: S) => unknown,
): (error: Error, stream: S) => Promise<void> {
  _streamFailures.set(c, undefined); // the handler opted in: the middleware watches this body's end
  return async (error, stream) => {
    try {
      await then?.(error, stream);
    } finally {
      _streamFailures.set(c, { error });
    }
  };
}

const _streamFailures = new WeakMap<Context, Failure | undefined>();

/** c.res whose body, at its end, fails with what `onStreamError` recorded (only where it was used). */
function _failingAtEnd(c: Context): Response {
  const response = c.res;
  if (response.body === null || !_streamFailures.has(c)) return response;
  const failAtEnd = new TransformStream<Uint8Array, Uint8Array>({
    flush(controller) {
      const failure = _streamFailures.get(c);
      if (failure) controller.error(failure.error);
    },
  });
  return new Response(response.body.pipeThrough(failAtEnd), response);
}

/** Hono throws on `c.executionCtx` outside Workers; background cleanups then have no one to keep alive. */
function _executionContext(c: Context): ExecutionContextLike {
  try {
    return c.executionCtx;
  } catch {
    return { waitUntil() {} };
  }
}
