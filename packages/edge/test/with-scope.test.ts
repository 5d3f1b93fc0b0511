import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { withScope } from "../src/index.ts";

afterEach(() => vi.restoreAllMocks());
const request = () => new Request("https://example.com/transfer", { method: "POST" });

describe("withScope (in workerd)", () => {
  it("passes a scope as the fourth argument and returns the handler's response", async () => {
    const ctx = createExecutionContext();
    const events: string[] = [];
    const fetch = withScope(async (req, _env, _ctx, scope) => {
      scope.defer(() => void events.push("exit"));
      scope.deferBackground(() => void events.push("background"));
      return new Response(`handled ${req.method}`);
    });
    const response = await fetch(request(), {}, ctx);
    expect(await response.text()).toBe("handled POST");
    expect(events).toEqual(["exit"]);
    await waitOnExecutionContext(ctx);
    expect(events).toEqual(["exit", "background"]);
  });

  it("when the handler throws: every exit runs, background included, the error is logged, and the answer is a 500", async () => {
    const ctx = createExecutionContext();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const error = new Error("handler failed");
    const events: string[] = [];
    const fetch = withScope(async (_req, _env, _ctx, scope) => {
      scope.push((failure) => void events.push(`exit saw ${(failure?.error as Error).message}`));
      scope.deferBackground(() => void events.push("background"));
      throw error;
    });
    const response = await fetch(request(), {}, ctx);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("Internal Server Error");
    await waitOnExecutionContext(ctx);
    expect(events).toEqual(["exit saw handler failed", "background"]);
    expect(logged).toHaveBeenCalledWith("[asyncwith] POST https://example.com/transfer failed:", error);
  });

  it("rethrows the very same error with rethrow: true, and answers with onError's response when given", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const error = new Error("handler failed");
    const failing = async (): Promise<Response> => {
      throw error;
    };
    await expect(withScope(failing, { rethrow: true })(request(), {}, createExecutionContext())).rejects.toBe(error);
    const response = await withScope(failing, {
      onError: (e) => Response.json({ error: (e as Error).message }, { status: 503 }),
    })(request(), {}, createExecutionContext());
    expect([response.status, await response.json()]).toEqual([503, { error: "handler failed" }]);
  });

  it("answers 500 with a clear log when the handler returns no Response", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await withScope(async () => "not a response" as never)(request(), {}, createExecutionContext());
    expect(response.status).toBe(500);
    expect(String(logged.mock.calls[0]![1])).toContain(
      'Expected the handler to return a Response, got "not a response"',
    );
  });
});
