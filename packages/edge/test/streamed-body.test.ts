// A block's boundary for a streamed Response is the end of its body, not the handler's return:
// withScope, requestScope + exitAfterBody and the Hono middleware (hono/streaming included).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { aenter, aexit, asyncWith, type Failure } from "@asyncwith/core";
import { Hono } from "hono";
import { stream } from "hono/streaming";
import { afterEach, describe, expect, it, vi } from "vitest";
import { onStreamError, asyncWithMiddleware } from "../src/hono.ts";
import { requestScope, withScope } from "../src/index.ts";

afterEach(() => vi.restoreAllMocks());
const encode = (text: string) => new TextEncoder().encode(text);
const request = () => new Request("https://example.com/report");

/** A resource whose chunks say whether it was still open when they were produced. */
function cursor(events: string[], chunks = 3, failAfter = Infinity) {
  let open = true;
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        await Promise.resolve(); // each chunk a later turn, as a real query would be
        if (sent === failAfter) return controller.error(new Error(`cursor broke after chunk ${sent}`));
        if (sent === chunks) return controller.close();
        sent += 1;
        events.push(`chunk ${sent} (${open ? "open" : "CLOSED"})`);
        controller.enqueue(encode(`${sent};`));
      },
      cancel: () => void events.push("cursor cancelled"),
    },
    { highWaterMark: 0 }, // a chunk is produced when asked for, as a database cursor would
  );
  const close = (failure?: { error: unknown }) => {
    open = false;
    events.push(
      failure ? `closed after ${(failure.error as Error).name}: ${(failure.error as Error).message}` : "closed",
    );
  };
  return { body, close };
}

describe("withScope: exits wait for the response body (in workerd)", () => {
  it("runs the exits after the last chunk, so no chunk is written after its resource closed", async () => {
    const events: string[] = [];
    const ctx = createExecutionContext();
    const fetch = withScope(async (_req, _env, _ctx, scope) => {
      const rows = cursor(events);
      scope.push((failure) => rows.close(failure));
      scope.deferBackground(() => void events.push("background"));
      return new Response(rows.body, { status: 201, headers: { "x-kind": "report" } });
    });
    const response = await fetch(request(), {}, ctx);
    expect([response.status, response.headers.get("x-kind")]).toEqual([201, "report"]);
    expect(events).toEqual([]); // before: "closed" here, then three chunks "CLOSED"
    expect(await response.text()).toBe("1;2;3;");
    await waitOnExecutionContext(ctx);
    expect(events).toEqual(["chunk 1 (open)", "chunk 2 (open)", "chunk 3 (open)", "closed", "background"]);
  });

  it("a body that fails is the exits' failure, and the client gets a cut-off body, not a clean end", async () => {
    const events: string[] = [];
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    const response = await withScope(async (_req, _env, _ctx, scope) => {
      const rows = cursor(events, 5, 2);
      scope.push((failure) => rows.close(failure));
      return new Response(rows.body);
    })(request(), {}, ctx);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow("cursor broke after chunk 2");
    await waitOnExecutionContext(ctx);
    expect(events).toEqual(["chunk 1 (open)", "chunk 2 (open)", "closed after Error: cursor broke after chunk 2"]);
    expect(String(logged.mock.calls[0])).toContain("GET https://example.com/report failed after the response started");
  });

  it("a client that leaves aborts scope.signal and is the exits' failure; the source is cancelled", async () => {
    const events: string[] = [];
    const ctx = createExecutionContext();
    let signal!: AbortSignal;
    const response = await withScope(async (_req, _env, _ctx, scope) => {
      const rows = cursor(events);
      scope.push((failure) => rows.close(failure));
      signal = scope.signal;
      return new Response(rows.body);
    })(request(), {}, ctx);
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("1;");
    expect(signal.aborted).toBe(false);
    await reader.cancel("connection reset");
    await waitOnExecutionContext(ctx);
    expect(signal.reason).toMatchObject({
      name: "AbortError",
      message: "The client went away before the response body ended: connection reset",
    });
    expect(events.slice(-2).sort()).toEqual([
      "closed after AbortError: The client went away before the response body ended: connection reset",
      "cursor cancelled",
    ]);
  });

  it("an exit that fails after the last chunk cuts the body off and is logged with the request", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const commitFailed = new Error("commit failed");
    const ctx = createExecutionContext();
    const response = await withScope(async (_req, _env, _ctx, scope) => {
      scope.defer(() => Promise.reject(commitFailed));
      return new Response(cursor([]).body);
    })(request(), {}, ctx);
    await expect(response.text()).rejects.toBe(commitFailed);
    await waitOnExecutionContext(ctx);
    expect(logged).toHaveBeenCalledWith(
      "[asyncwith] GET https://example.com/report failed after the response started:",
      commitFailed,
    );
  });

  it("a response without a body exits before it is returned, as before", async () => {
    const events: string[] = [];
    const response = await withScope(async (_req, _env, _ctx, scope) => {
      scope.defer(() => void events.push("exit"));
      return new Response(null, { status: 204 });
    })(request(), {}, createExecutionContext());
    expect([response.status, events]).toEqual([204, ["exit"]]);
  });
});

describe("requestScope.exitAfterBody", () => {
  it("binds an asyncWith block's exits to the body it returns", async () => {
    const events: string[] = [];
    const ctx = createExecutionContext();
    const response = await asyncWith(requestScope(ctx), (scope) => {
      const rows = cursor(events, 2);
      scope.push((failure) => rows.close(failure));
      return scope.exitAfterBody(new Response(rows.body));
    });
    expect(events).toEqual([]);
    expect(await response!.text()).toBe("1;2;");
    await waitOnExecutionContext(ctx);
    expect(events).toEqual(["chunk 1 (open)", "chunk 2 (open)", "closed"]);
  });

  it("when the block fails after binding, the exits run now with its error and the body ends with it", async () => {
    const events: string[] = [];
    const error = new Error("late failure");
    let bound!: Response;
    await expect(
      asyncWith(requestScope(createExecutionContext()), (scope) => {
        const rows = cursor(events);
        scope.push((failure) => rows.close(failure));
        bound = scope.exitAfterBody(new Response(rows.body));
        throw error;
      }),
    ).rejects.toBe(error);
    expect(events).toEqual(["closed after Error: late failure", "cursor cancelled"]); // nothing read after
    await expect(bound.text()).rejects.toBe(error);
  });

  it("a body read to its end inside the block neither deadlocks nor delays the exits past the block", async () => {
    const events: string[] = [];
    const result = await asyncWith(requestScope(createExecutionContext()), async (scope) => {
      scope.defer(() => void events.push("exit"));
      return scope.exitAfterBody(new Response("all of it")).text(); // hung before: it waited for the exits
    });
    expect([result, events]).toEqual(["all of it", ["exit"]]); // the exits ran before asyncWith resolved
    const error = new Error("failed after reading");
    await expect(
      asyncWith(requestScope(createExecutionContext()), async (scope) => {
        expect(await scope.exitAfterBody(new Response("all of it")).text()).toBe("all of it");
        throw error;
      }),
    ).rejects.toBe(error);
  });

  it("refuses a second response, a non-Response and an exited scope, saying so", async () => {
    const scope = requestScope(createExecutionContext());
    await asyncWith(scope, () => {
      scope.exitAfterBody(new Response("a"));
      expect(() => scope.exitAfterBody(new Response("b"))).toThrow(
        "Expected one exitAfterBody() per scope, got a second response to bind",
      );
      expect(() => scope.exitAfterBody("text" as never)).toThrow(
        'Expected exitAfterBody() to be given a Response, got "text"',
      );
    });
    expect(() => scope.exitAfterBody(new Response("c"))).toThrow("Expected a live request scope");
  });
});

describe("asyncWithMiddleware with hono/streaming", () => {
  function recorder(events: string[]) {
    return () => ({
      [aenter]: () => void events.push("enter"),
      [aexit]: (failure?: Failure) =>
        void events.push(failure ? `exit saw ${(failure.error as Error).message}` : "exit saw success"),
    });
  }

  it("exits after the streamed body ended, not when the handler returned", async () => {
    const events: string[] = [];
    const app = new Hono();
    app.use(asyncWithMiddleware(recorder(events)));
    app.get("/feed", (c) =>
      stream(c, async (s) => {
        for (const n of [1, 2, 3]) {
          await s.write(`${n};`);
          events.push(`wrote ${n}`);
        }
      }),
    );
    const response = await app.request("/feed");
    expect(await response.text()).toBe("1;2;3;");
    expect(events).toEqual(["enter", "wrote 1", "wrote 2", "wrote 3", "exit saw success"]);
  });

  it("with onStreamError(c), a failing stream callback is the exit's failure and cuts the body off", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const events: string[] = [];
    const app = new Hono();
    app.use(asyncWithMiddleware(recorder(events)));
    app.get("/feed", (c) =>
      stream(
        c,
        async (s) => {
          await s.write("1;");
          throw new Error("feed broke");
        },
        onStreamError(c, async (_error, s: { write(text: string): Promise<unknown> }) => void (await s.write("!"))),
      ),
    );
    const response = await app.request("/feed");
    expect(response.status).toBe(200); // the status went out with the first chunk
    await expect(response.text()).rejects.toThrow("feed broke");
    expect(events).toEqual(["enter", "exit saw feed broke"]); // before: "exit saw success", before any chunk
    expect(String(logged.mock.calls[0])).toContain("GET http://localhost/feed failed after the response started");
  });
});
