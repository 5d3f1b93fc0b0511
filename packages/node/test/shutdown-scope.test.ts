import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { shutdownScope } from "../src/index.ts";
import { liveInGroup, scratch } from "./helpers.ts";

const script = fileURLToPath(new URL("./fixtures/shutdown.mjs", import.meta.url));
const minimal = fileURLToPath(new URL("./fixtures/shutdown-minimal.mjs", import.meta.url));

/** Runs the minimal fixture, sends `signal` once it is ready, and gives its output and exit code. */
async function minimalProgram(mode: string, signal: NodeJS.Signals) {
  const child = spawn(process.execPath, [minimal, mode], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  child.stdout!.on("data", (chunk) => {
    stdout += chunk;
    if (String(chunk).startsWith("ready")) child.kill(signal);
  });
  const [code] = await once(child, "exit");
  return { code, lines: stdout.split("\n").filter(Boolean), stderr };
}

/** Runs the fixture in a real process; `act` gets it once it is ready (temp dir and child open). */
async function program(mode: string, act: (child: ReturnType<typeof spawn>) => void = () => {}) {
  const child = spawn(process.execPath, [script, mode, scratch()], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const [first] = await once(child.stdout!, "data");
  stdout += first;
  const ready = JSON.parse(String(first).split("\n")[0]!) as { dir: string; child: number };
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  const exited = once(child, "exit");
  act(child);
  const [code, signal] = await exited;
  return { code, signal, stdout: stdout.split("\n").slice(1).filter(Boolean), stderr, ...ready };
}

describe("shutdownScope (real processes, real signals)", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    it(`on ${signal}: every exit runs (child stopped, temp dir removed), then the process exits with ${code}`, async () => {
      const run = await program("wait", (child) => child.kill(signal));
      expect(run.stdout).toEqual(["aborted", "exit childProcess", "exit tempDir"]);
      expect([run.code, run.signal]).toEqual([code, null]);
      expect(existsSync(run.dir)).toBe(false);
      expect(liveInGroup(run.child)).toEqual([]);
    });
  }

  it("on an uncaught exception: the exits run, the error is printed, and the process exits with 1", async () => {
    const run = await program("uncaught");
    expect(run.stdout).toEqual(["aborted", "exit childProcess", "exit tempDir"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("uncaught in a callback");
    expect(existsSync(run.dir)).toBe(false);
  });

  it("when the block throws: the exits run and the error ends the process non-zero, as usual", async () => {
    const run = await program("throws");
    expect(run.stdout).toEqual(["exit childProcess", "exit tempDir"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("thrown by the block");
    expect(liveInGroup(run.child)).toEqual([]);
  });

  it("a second signal forces the exit when the block ignores the first", async () => {
    const run = await program("stubborn", (child) => {
      child.kill("SIGINT");
      child.stdout!.once("data", () => child.kill("SIGINT")); // once the first was handled ("aborted")
    });
    expect(run.stdout).toEqual(["aborted"]); // the block never finished, so no exit ran
    expect(run.code).toBe(130);
    process.kill(-run.child, "SIGKILL"); // forced: the child's exit never ran, as documented
    expect(run.stderr).toContain("Received SIGINT again: exiting without waiting for the remaining cleanup");
  });
});

it("a shutdown that outlasts its grace period exits anyway (the block ignored its signal)", async () => {
  const run = await program("stuck", (child) => child.kill("SIGTERM"));
  process.kill(-run.child, "SIGKILL"); // forced: the child's exit never ran, as documented
  expect(run.stdout).toEqual(["aborted"]);
  expect(run.code).toBe(143);
  expect(run.stderr).toContain("Shutdown took longer than 200 ms: exiting without waiting for the remaining cleanup");
});

describe("shutdownScope (in process)", () => {
  it("without a shutdown is transparent: the block's value, no listener left behind", async () => {
    const before = process.listenerCount("SIGINT");
    const value = await asyncWith(shutdownScope({ exit: false }), (signal) => {
      expect(signal.aborted).toBe(false);
      expect(process.listenerCount("SIGINT")).toBe(before + 1);
      return 42;
    });
    expect(value).toBe(42);
    expect(process.listenerCount("SIGINT")).toBe(before);
  });

  it("refuses unknown names and signals no process can catch, before installing any listener", () => {
    const before = ["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"].map((s) => process.listenerCount(s));
    for (const bad of [["SIGNOPE"], ["SIGTERM", "SIGKILL"], ["SIGSTOP"]]) {
      expect(() => shutdownScope({ signals: bad as never })).toThrow(
        /^Expected shutdownScope\(\) options.signals to be names of signals a process can catch, such as \["SIGINT", "SIGTERM"\] \(not SIGKILL or SIGSTOP\), got \["/,
      );
    }
    expect(["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"].map((s) => process.listenerCount(s))).toEqual(before);
  });
});

describe("shutdownScope (minimal programs)", () => {
  it("keeps the process alive while open: a block that only awaits its signal still unwinds (not exit code 13)", async () => {
    expect(await minimalProgram("bare", "SIGTERM")).toEqual({ code: 143, lines: ["ready", "aborted"], stderr: "" });
  });

  it("inside an outer manager: the outer exit runs too (seeing the shutdown), then the process exits with the signal's code", async () => {
    expect(await minimalProgram("outer", "SIGINT")).toEqual({
      code: 130,
      lines: ["ready", "aborted", "exit outer (AbortError)"],
      stderr: "",
    });
  });

  it("two sibling scopes (Promise.all of two services): both run their exits, the process ends once, after both, and nothing is printed as uncaught", async () => {
    const { code, lines, stderr } = await minimalProgram("siblings", "SIGTERM");
    expect({ code, stderr }).toEqual({ code: 143, stderr: "" });
    expect(lines.sort()).toEqual(["exit fast", "exit slow", "ready"]);
  });
});
