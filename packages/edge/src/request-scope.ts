import { aexit, AsyncExitStack, type ExitOptions, type Failure } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";
import { _bindBody, type BodyOwner } from "./_bound-body.js";

/** What `requestScope` needs of the runtime: Cloudflare's `ExecutionContext`, or anything with `waitUntil`. */
export interface ExecutionContextLike {
  /** Keeps the invocation alive until `promise` settles, after the response went out. */
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The exit stack of one request: exits registered as on `AsyncExitStack` run before the response
 * (or, after `exitAfterBody(response)`, when its body ends); `deferBackground` ones run after that,
 * through `ctx.waitUntil`, whatever happened.
 * @example
 * await using scope = requestScope(ctx, "GET /report");
 * scope.deferBackground(() => env.LOGS.send(entry));
 */
export class RequestScope extends AsyncExitStack {
  #ctx: ExecutionContextLike;
  #label: string;
  #background: Array<() => unknown> = [];
  #aborter = new AbortController();
  /** Set by exitAfterBody(): the exits then wait for `ended`, and `exited` tells the body how they went. */
  #body?: BoundBody;

  constructor(ctx: ExecutionContextLike, label = "request") {
    super();
    if (typeof (ctx as Partial<ExecutionContextLike> | null)?.waitUntil !== "function")
      throw expected("an ExecutionContext (the handler's third argument)", ctx);
    this.#ctx = ctx;
    this.#label = label;
  }

  /**
   * Aborts when the client goes away before a body bound by `exitAfterBody` ended: pass it to
   * the work that produces the stream, so it stops writing to nobody.
   * @example const rows = db.stream(query, { signal: scope.signal });
   */
  get signal(): AbortSignal {
    return this.#aborter.signal;
  }

  /**
   * Binds the scope's exits to `response`'s body: when the block ends they wait until the body has
   * been read to its end (they see success), failed (they see its error, and the client gets a
   * cut-off body) or was cancelled by the client (they see an AbortError, and `signal` aborts).
   * The body closes only after the exits succeeded: an exit's error cuts it off instead. Returns
   * the response to return; one without a body is returned as it is. Call it last in the block.
   * @example
   * return asyncWith(requestScope(ctx), async (scope) => {
   *   const db = await scope.enterContext(connect(env));
   *   return scope.exitAfterBody(new Response(db.streamRows())); // db closes after the last row
   * });
   */
  exitAfterBody(response: Response): Response {
    if (this.disposed || this.#body?.waiting)
      throw new ReferenceError("Expected a live request scope, got one that has exited");
    if (!(response instanceof Response)) throw expected("exitAfterBody() to be given a Response", response);
    if (this.#body) throw new TypeError("Expected one exitAfterBody() per scope, got a second response to bind");
    if (response.body === null) return response; // nothing will be streamed: the exits run at the block's end
    const body: BoundBody = (this.#body = { ended: deferred(), exited: deferred(), waiting: false, cutOff() {} });
    const [bound, cutOff] = _bindBody(response, this.#owner(body));
    body.cutOff = cutOff;
    return bound;
  }

  #owner(body: BoundBody): BodyOwner {
    return {
      // A body read to its end inside the block (a tee, a test) cannot wait for exits that wait for
      // the block: it ends now, and the exits run at the block's end as usual.
      finish: (failure) => {
        body.ended.resolve(failure);
        if (body.waiting) return body.exited.promise;
        body.early = true;
        return Promise.resolve(undefined);
      },
      disconnected: (reason) => this.#aborter.abort(reason),
    };
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
  override [aexit](failure?: Failure, options?: ExitOptions): Promise<boolean> {
    if (!failure && this.#afterBody()) return Promise.resolve(false);
    // The exit's options (an exitWithin deadline's signal) reach every awaited exit, as a stack's do.
    return this.#tellBody(super[aexit](failure, options), failure).finally(this.#schedule);
  }

  override aclose(): Promise<void> {
    if (this.#afterBody()) return Promise.resolve();
    return this.#tellBody(super.aclose()).finally(this.#schedule);
  }

  // `await using` cannot say whether the block failed; a block that bound a body returned it.
  override disposeAsync(): Promise<void> {
    if (this.#afterBody()) return Promise.resolve();
    return this.#tellBody(super.disposeAsync()).finally(this.#schedule);
  }

  /**
   * With a bound body, leaves the exits to its end (once) and keeps the invocation alive for them.
   * Their error can reach nobody but the client (a cut-off body) and the log.
   */
  #afterBody(): boolean {
    const body = this.#body;
    if (!body || body.early || this.disposed) return false;
    if (body.waiting) return true; // already handed over to the body's end
    body.waiting = true;
    const closing = body.ended.promise.then((failure) =>
      super
        [aexit](failure)
        .then(
          (suppressed): Failure | undefined => (suppressed ? undefined : failure),
          (error: unknown) => ({ error }),
        )
        .then((left) => {
          if (left && left.error !== this.signal.reason)
            // a client that left is no failure of ours to report
            console.error(`[asyncwith] ${this.#label} failed after the response started:`, left.error);
          body.exited.resolve(left);
        }),
    );
    this.#ctx.waitUntil(closing.finally(this.#schedule));
    return true;
  }

  /** On the failure path a bound body (if anyone still reads it) ends with the failure too. */
  #tellBody<T>(exiting: Promise<T>, failure?: Failure): Promise<T> {
    const body = this.#body;
    if (!body) return exiting;
    const end = (left?: Failure) => (body.exited.resolve(left), left && body.cutOff(left.error));
    return exiting.then(
      (result) => (end(failure), result),
      (error: unknown) => (end({ error }), Promise.reject(error)),
    );
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

interface BoundBody {
  ended: Deferred<Failure | undefined>;
  exited: Deferred<Failure | undefined>;
  waiting: boolean;
  /** Read to its end inside the block: the exits run at the block's end, as without a body. */
  early?: boolean;
  cutOff(error: unknown): void;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T = Failure | undefined>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
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
