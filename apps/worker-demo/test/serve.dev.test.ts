// `wrangler dev` serves the app on 127.0.0.1 (workerd, offline), and a scripted request sequence
// over real HTTP shows what the workerd checks show.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const app = join(dirname(fileURLToPath(import.meta.url)), "..");
let wrangler: ChildProcess;
let base = "";
let log = "";

const freePort = async () => {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
};

beforeAll(async () => {
  const [port, inspector] = [await freePort(), await freePort()];
  const bin = createRequire(join(app, "package.json")).resolve("wrangler/bin/wrangler.js");
  wrangler = spawn(
    process.execPath,
    [
      bin,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspector),
      "--log-level",
      "warn",
    ],
    {
      cwd: app,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  wrangler.stdout!.on("data", (chunk) => (log += chunk));
  wrangler.stderr!.on("data", (chunk) => (log += chunk));
  base = `http://127.0.0.1:${port}`;
  // Ready when it answers: each failed attempt is a refused connection, retried at once.
  for (;;) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited with ${wrangler.exitCode}:\n${log}`);
    const ok = await fetch(`${base}/balances`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling for readiness, not timing a result
  }
});

afterAll(async () => {
  if (wrangler?.exitCode === null) {
    const exited = once(wrangler, "exit");
    process.kill(-wrangler.pid!, "SIGTERM"); // wrangler and its workerd
    await exited;
  }
});

const request = async (method: string, path: string) => {
  const response = await fetch(`${base}${path}`, { method });
  return { status: response.status, body: await response.text() };
};

describe("wrangler dev on 127.0.0.1", () => {
  it("serves the classic examples", async () => {
    const { status, body } = await request("GET", "/classic");
    expect(status).toBe(200);
    expect(body.split("\n").slice(0, 4)).toEqual(["1. enter → body → exit", "enter", "within the manager", "exit"]);
  });

  it("a scripted sequence: reset, a transfer, a failing transfer (500, balances unchanged), the audit written after both", async () => {
    expect(JSON.parse((await request("POST", "/reset")).body)).toEqual({ alice: 1000, bob: 1000 });
    expect(JSON.parse((await request("POST", "/transfer?amount=250")).body)).toEqual({ alice: 750, bob: 1250 });
    expect(await request("POST", "/transfer?amount=400&fail")).toEqual({ status: 500, body: "Internal Server Error" });
    expect(JSON.parse((await request("GET", "/balances")).body)).toEqual({ alice: 750, bob: 1250 });
    // The audit is written after each response (waitUntil): poll until both lines are there.
    await expect
      .poll(async () => JSON.parse((await request("GET", "/audit")).body))
      .toEqual(["transfer 250 alice→bob: done", "transfer 400 alice→bob: failed"]);
  });

  it("20 concurrent transfers over HTTP, half failing, keep the total", async () => {
    await request("POST", "/reset");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => request("POST", `/transfer?amount=10${i % 2 ? "&fail" : ""}`)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([...Array(10).fill(200), ...Array(10).fill(500)]);
    expect(JSON.parse((await request("GET", "/balances")).body)).toEqual({ alice: 900, bob: 1100 });
  });
});
