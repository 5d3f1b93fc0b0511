// The app's checks, inside workerd: the handler is called as the runtime would call it, with a
// real ExecutionContext, and the Durable Objects are real (SQLite-backed).
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index.ts";

/** One request through the Worker; resolves once its background work (waitUntil) finished too. */
async function call(method: string, path: string) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`https://bank.example${path}`, { method }), env, ctx);
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return { status: response.status, body };
}
const balances = async () => JSON.parse((await call("GET", "/balances")).body) as Record<string, number>;
const audit = async () => JSON.parse((await call("GET", "/audit")).body) as string[];

beforeEach(async () => {
  vi.spyOn(console, "error").mockImplementation(() => {}); // failed transfers are logged on purpose
  await call("POST", "/reset");
});

describe("worker-demo in workerd", () => {
  it("replays the classic examples as a route", async () => {
    const { status, body } = await call("GET", "/classic");
    expect(status).toBe(200);
    const lines = body.split("\n");
    expect(lines.slice(0, 4)).toEqual(["1. enter → body → exit", "enter", "within the manager", "exit"]);
    expect(lines.slice(5, 9)).toEqual([
      "enter",
      "within the manager",
      "exit",
      "caught: something went wrong in the body",
    ]);
    expect(body).toContain("got a Promise (did you forget to await it?)");
    expect(body).toContain("[aenter] but no [aexit]");
    expect(body).not.toContain("!! no error");
  });

  it("a transfer moves the money; a failing one returns 500 and leaves both balances unchanged", async () => {
    expect(await call("POST", "/transfer?from=alice&to=bob&amount=100")).toMatchObject({ status: 200 });
    expect(await balances()).toEqual({ alice: 900, bob: 1_100 });
    const failed = await call("POST", "/transfer?from=alice&to=bob&amount=300&fail");
    expect(failed).toEqual({ status: 500, body: "Internal Server Error" });
    expect(await balances()).toEqual({ alice: 900, bob: 1_100 });
  });

  it("runs the background cleanup after the response, also when the handler threw", async () => {
    await call("POST", "/transfer?amount=5");
    await call("POST", "/transfer?amount=7&fail");
    expect(await audit()).toEqual(["transfer 5 alice→bob: done", "transfer 7 alice→bob: failed"]);
  });

  it("200 concurrent transfers, half failing, keep the total constant and move exactly the successful ones", async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call("POST", `/transfer?from=alice&to=bob&amount=3${i % 2 ? "&fail" : ""}`),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(100);
    expect(results.filter((r) => r.status === 500)).toHaveLength(100);
    const after = await balances();
    expect(after.alice! + after.bob!).toBe(2_000);
    expect(after).toEqual({ alice: 700, bob: 1_300 });
    expect(await audit()).toHaveLength(200);
  });
});
