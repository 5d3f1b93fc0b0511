import { aexit, AsyncExitStack, type Failure } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";

/** What `requestScope` needs of the runtime: Cloudflare's `ExecutionContext`, or anything with `waitUntil`. */
export interface ExecutionContextLike {
  /** Keeps the invocation alive until `promise` settles, after the response went out. */
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The exit stack of one request: exits registered as on `AsyncExitStack` run before the response;
 * `deferBackground` ones run after it, through `ctx.waitUntil`, whatever happened.
 * @example
 * await using scope = requestScope(ctx, "GET /report");
 * scope.deferBackground(() => env.LOGS.send(entry));
 */
export class RequestScope extends AsyncExitStack {
  #ctx: ExecutionContextLike;
  #label: string;
  #background: Array<() => unknown> = [];

  constructor(ctx: ExecutionContextLike, label = "request") {
    super();
    if (typeof (ctx as Partial<ExecutionContextLike> | null)?.waitUntil !== "function")
      throw expected("an ExecutionContext (the handler's third argument)", ctx);
    this.#ctx = ctx;
    this.#label = label;
  }

  /**
   * Runs `fn(...args)` after the response, on success and on error. Background cleanups start last
   * registered first and run concurrently, so one that hangs delays no other. A failure is reported
   * with `console.error`, never thrown into the void. Returns `fn`.
   * @typeParam F - the cleanup's type: `args` are checked against its parameters.
   * @example scope.deferBackground(() => env.ANALYTICS.writeDataPoint({ blobs: [url] }));
   */
  deferBackground<A extends unknown[], F extends (...args: A) => unknown>(fn: F, ...args: A): F {
    if (this.disposed) throw new ReferenceError("Expected a live request scope, got one that has exited");
    if (typeof fn !== "function") throw expected("deferBackground() to be given a function", fn);
    this.#background.push(() => fn(...args));
    return fn;
  }

  // Every way of closing the scope hands the background cleanups over, whatever the awaited exits did.
  /** Runs the awaited exits (as `AsyncExitStack` does), then hands the background ones to `waitUntil`. */
  override [aexit](failure?: Failure): Promise<boolean> {
    return super[aexit](failure).finally(this.#schedule);
  }

  override aclose(): Promise<void> {
    return super.aclose().finally(this.#schedule);
  }

  override disposeAsync(): Promise<void> {
    return super.disposeAsync().finally(this.#schedule);
  }

  /**
   * Hands the background cleanups to waitUntil (once: the list is emptied); the response does not
   * wait for them. Each is its own waitUntil, started last registered first but not waiting for the
   * one before: a cleanup that hangs starves no other, and the runtime's grace period bounds each.
   */
  #schedule = (): void => {
    const jobs = this.#background.splice(0).reverse();
    jobs.forEach((job, i) => this.#ctx.waitUntil(_runOne(job, `${i + 1} of ${jobs.length}`, this.#label)));
  };
}

async function _runOne(job: () => unknown, which: string, label: string): Promise<void> {
  await new Promise((next) => setTimeout(next, 0)); // a later task: the response goes out first
  try {
    await job();
  } catch (error) {
    console.error(`[asyncwith] background cleanup ${which} for ${label} failed:`, error);
  }
}

/**
 * A scope for one request: enter gives a `RequestScope` (an `AsyncExitStack` plus
 * `deferBackground`). Awaited exits finish before the response; background cleanups run after it
 * via `ctx.waitUntil`, on success and on error, and their failures are logged with context.
 *
 * @example
 * export default {
 *   fetch: (request, env, ctx) => asyncWith(requestScope(ctx), async (scope) => {
 *     const db = await scope.enterContext(connect(env));
 *     scope.deferBackground(() => flushMetrics(env));
 *     return Response.json(await db.query("select 1"));
 *   }),
 * };
 */
export function requestScope(ctx: ExecutionContextLike, label?: string): RequestScope {
  return new RequestScope(ctx, label);
}
