import { asyncWith } from "@asyncwith/core";
import { Hono } from "hono";
import { stream, streamSSE } from "hono/streaming";
import { onStreamError } from "../src/hono.ts";
import { describe, expectTypeOf, it } from "vitest";
import {
  type D1BatchCollector,
  d1Batch,
  DurableLock,
  durableLock,
  type LockNamespace,
  durableTransaction,
  type HeldDurableLock,
  type RequestScope,
  requestScope,
  rpcStub,
  withScope,
} from "../src/index.ts";

declare const ctx: ExecutionContext;
declare const storage: DurableObjectStorage;
declare const db: D1Database;
declare const locks: DurableObjectNamespace;
declare const stub: Disposable & { total(): Promise<number> };

describe("types, against @cloudflare/workers-types", () => {
  it("accepts Cloudflare's own objects and gives each block the right value", async () => {
    await asyncWith(requestScope(ctx), (scope) => expectTypeOf(scope).toEqualTypeOf<RequestScope>());
    await asyncWith(durableTransaction(storage), (txn) => expectTypeOf(txn).toEqualTypeOf<DurableObjectTransaction>());
    await asyncWith(d1Batch(db), (batch) =>
      expectTypeOf(batch).toEqualTypeOf<D1BatchCollector<D1PreparedStatement, D1Result<unknown>>>(),
    );
    await asyncWith(durableLock(locks, "x"), (held) => expectTypeOf(held).toEqualTypeOf<HeldDurableLock>());
    await asyncWith(rpcStub(stub), (s) => expectTypeOf(s.total()).toEqualTypeOf<Promise<number>>());
  });

  it("types withScope as a fetch handler", () => {
    const fetch = withScope<{ DB: D1Database }>(async (request, env, _ctx, scope) => {
      expectTypeOf(request).toEqualTypeOf<Request>();
      expectTypeOf(env.DB).toEqualTypeOf<D1Database>();
      expectTypeOf(scope).toEqualTypeOf<RequestScope>();
      return new Response();
    });
    expectTypeOf(fetch).parameters.toEqualTypeOf<[Request, { DB: D1Database }, ExecutionContextLike]>();
  });

  it("types exitAfterBody, scope.signal and onStreamError as hono/streaming takes it", async () => {
    await asyncWith(requestScope(ctx), (scope) => {
      expectTypeOf(scope.signal).toEqualTypeOf<AbortSignal>();
      expectTypeOf(scope.exitAfterBody(new Response("x"))).toEqualTypeOf<Response>();
      // @ts-expect-error a Response, not its text
      scope.exitAfterBody("x");
    });
    const app = new Hono();
    app.get("/feed", (c) => stream(c, async (s) => void (await s.write("x")), onStreamError(c)));
    app.get("/sse", (c) =>
      streamSSE(
        c,
        async (s) => void (await s.writeSSE({ data: "x" })),
        onStreamError(c, (_e, s) => s.close()),
      ),
    );
  });

  it("DurableLock is a branded Durable Object: wrangler types' DurableObjectNamespace<DurableLock> accepts it", () => {
    type Locks = DurableObjectNamespace<DurableLock>; // what `wrangler types` writes for the binding
    expectTypeOf<Locks>().toMatchTypeOf<LockNamespace>();
  });

  it("rejects wrong arguments at compile time", () => {
    // @ts-expect-error a lock name is a string
    durableLock(locks, 1);
    // @ts-expect-error a handler must return a Response
    withScope(async () => "text");
  });
});

type ExecutionContextLike = import("../src/index.ts").ExecutionContextLike;
