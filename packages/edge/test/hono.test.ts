import { aenter, aexit, type Failure } from "@asyncwith/core";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { asyncWithMiddleware } from "../src/hono.ts";

/** A manager that records how each request's block ended. */
function recorder(log: string[]) {
  return (c: { req: { path: string } }) => ({
    [aenter]: () => `value for ${c.req.path}`,
    [aexit]: (failure?: Failure) =>
      void log.push(failure ? `failed: ${(failure.error as Error).message}` : "succeeded"),
  });
}

describe("asyncWithMiddleware (Hono, in workerd)", () => {
  it("exits on the success path after a handler that returned", async () => {
    const log: string[] = [];
    const app = new Hono<{ Variables: { scope: string } }>();
    app.use(asyncWithMiddleware(recorder(log), { key: "scope" }));
    app.get("/ok", (c) => c.text(c.get("scope")));
    const response = await app.request("/ok");
    expect(await response.text()).toBe("value for /ok");
    expect(log).toEqual(["succeeded"]);
  });

  it("exits on the failure path when the handler threw, although Hono hid the error from next() (c.error)", async () => {
    const log: string[] = [];
    const app = new Hono();
    app.use(asyncWithMiddleware(recorder(log)));
    app.get("/fail", () => {
      throw new Error("handler failed");
    });
    app.onError((error, c) => c.text(`handled: ${error.message}`, 500));
    const response = await app.request("/fail");
    expect([response.status, await response.text()]).toEqual([500, "handled: handler failed"]);
    expect(log).toEqual(["failed: handler failed"]);
  });

  it("rejects a manager instead of a factory, pointing at the fix", () => {
    expect(() => asyncWithMiddleware({} as never)).toThrow(
      "Expected asyncWithMiddleware() to be given (c) => manager, a fresh one per request, got an object",
    );
  });
});
