// `pnpm check`: the demo's scenarios run in real child processes (src/scenarios.ts), checked from
// outside: what is on disk, which processes run, how each process ended.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const scenarios = fileURLToPath(new URL("../dist/scenarios.js", import.meta.url));
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const scratch = () => (dirs.push(mkdtempSync(join(tmpdir(), "asyncwith-check-"))), dirs.at(-1)!);

const start = (name: string, path: string) =>
  spawn(process.execPath, [scenarios, name, path], { stdio: ["ignore", "pipe", "pipe"] });
const run = (name: string, path: string) =>
  promisify(execFile)(process.execPath, [scenarios, name, path]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
/** Resolves with the child's output once `predicate` holds for it. */
function output(child: ChildProcess, predicate: (text: string) => boolean): Promise<string> {
  let text = "";
  return new Promise((resolve) => child.stdout!.on("data", (chunk) => predicate((text += chunk)) && resolve(text)));
}
const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]![0] !== "Z";
  } catch {
    return false;
  }
};

describe("atomicWrite in real processes", () => {
  it("a block that throws leaves the old file intact and no temp file behind (and the process fails)", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "report.txt"), "OLD REPORT");
    const result = await run("atomic-throws", join(dir, "report.txt"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("failed halfway through the new report");
    expect(readFileSync(join(dir, "report.txt"), "utf8")).toBe("OLD REPORT");
    expect(readdirSync(dir)).toEqual(["report.txt"]);
  });

  it("kill -9 at any point leaves the old or the new file complete, never a mix; the next run removes the stale temp file", async () => {
    const dir = scratch();
    const target = join(dir, "state.bin");
    const size = 16 * 64 * 1024;
    for (const commits of [1, 2, 3, 1, 2]) {
      const child = start("atomic-loop", target);
      await output(child, (text) => text.split("committed").length > commits);
      child.kill("SIGKILL");
      await once(child, "exit");
      const content = readFileSync(target, "latin1");
      expect(content.length).toBe(size);
      expect(content).toMatch(/^([A-Z])\1*$/); // one version, whole
    }
    const hung = start("atomic-hang", target);
    await output(hung, (text) => text.includes("half written"));
    hung.kill("SIGKILL");
    await once(hung, "exit");
    expect(readFileSync(target, "latin1")).toMatch(/^([A-Y])\1*$/);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp")).length).toBeGreaterThanOrEqual(1);

    expect((await run("atomic-once", target)).code).toBe(0);
    expect(readdirSync(dir)).toEqual(["state.bin"]);
    expect(readFileSync(target, "latin1")).toBe("Y".repeat(size));
  });
});

describe("signals and uncaught errors in real processes", () => {
  it("SIGINT during a tempDir + childProcess block removes the directory and stops the child; exit code 130", async () => {
    const parent = scratch();
    const child = start("signal", parent);
    const { dir, child: pid } = JSON.parse(await output(child, (text) => text.includes("\n")));
    expect(existsSync(dir) && isRunning(pid)).toBe(true);
    child.kill("SIGINT");
    const [code] = await once(child, "exit");
    expect(code).toBe(130);
    expect(existsSync(dir)).toBe(false);
    expect(isRunning(pid)).toBe(false);
  });

  it("an uncaught error exits non-zero, after the exits ran", async () => {
    const result = await run("uncaught", scratch());
    const { dir, child } = JSON.parse(result.stdout.split("\n")[0]!);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("exits ran");
    expect(result.stderr).toContain("an uncaught error in a callback");
    expect(existsSync(dir)).toBe(false);
    expect(isRunning(child)).toBe(false);
  });
});

describe("file descriptors", () => {
  it("1,000 failing blocks over every file manager leak no descriptor and leave no file", async () => {
    const dir = scratch();
    const result = await run("fd-leak", dir);
    const { before, after, failed, left } = JSON.parse(result.stdout);
    expect(failed).toBe(1_000);
    expect(after).toBe(before);
    // The stream's partial output is kept unless removeOnError; fileLock's directory stays, released.
    expect(left).toEqual(["input", "input.lock", "out"]);
  });
});
