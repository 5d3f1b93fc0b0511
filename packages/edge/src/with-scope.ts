import { asyncWith } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";
import { type ExecutionContextLike, RequestScope } from "./request-scope.js";

/** Options of `withScope`: whether the block's error is rethrown after the scope's exits ran. */
export interface WithScopeOptions {
  /** Rethrow the handler's error instead of answering 500 (for `ctx.passThroughOnException()` users). */
  rethrow?: boolean;
  /** The response for a failed request. Default: a plain 500 "Internal Server Error". */
  onError?(error: unknown, request: Request): Response | Promise<Response>;
}

/**
 * Wraps a `fetch` handler so that it gets a `RequestScope` as a fourth argument. The scope's exits
 * run when the response's body has been sent (`scope.exitAfterBody`): a streamed body is never
 * written after its resources closed, and a body that fails or a client that leaves is the exits'
 * failure. If the handler throws, every exit still runs (background ones after the response), the
 * error is logged, and the answer is a 500 (or `onError`'s response, or the error rethrown with
 * `rethrow: true`).
 *
 * @example
 * export default {
 *   fetch: withScope(async (request, env, ctx, scope) => {
 *     const session = await scope.enterContext(openSession(env, request));
 *     scope.deferBackground(() => session.flushLogs());
 *     return new Response(await session.render());
 *   }),
 * };
 */
export function withScope<Env = unknown, Ctx extends ExecutionContextLike = ExecutionContextLike>(
  handler: (request: Request, env: Env, ctx: Ctx, scope: RequestScope) => Response | Promise<Response>,
  options: WithScopeOptions = {},
): (request: Request, env: Env, ctx: Ctx) => Promise<Response> {
  if (typeof handler !== "function") throw expected("withScope() to be given a fetch handler", handler);
  return async (request, env, ctx) => {
    try {
      const response = await asyncWith(new RequestScope(ctx, `${request.method} ${request.url}`), async (scope) => {
        const response = await handler(request, env, ctx, scope);
        if (!(response instanceof Response)) throw expected("the handler to return a Response", response);
        return scope.exitAfterBody(response);
      });
      if (response) return response;
      throw new Error("An exit suppressed the handler's error: no Response to answer with");
    } catch (error) {
      if (options.rethrow) throw error;
      console.error(`[asyncwith] ${request.method} ${request.url} failed:`, error);
      return options.onError ? options.onError(error, request) : new Response("Internal Server Error", { status: 500 });
    }
  };
}
