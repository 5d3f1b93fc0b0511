// Shared by the tests: a fresh real directory per test, and ways to look at real processes.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { chmodSync, closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { aexit, type AsyncExitStack, type Failure, TimeoutError } from "@asyncwith/core";
import { buildSync } from "esbuild";
import { afterEach } from "vitest";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory on the real file system, removed after the test. */
export function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "asyncwith-node-test-"));
  dirs.push(dir);
  return dir;
}

/**
 * A FIFO whose other end is held open by a descriptor that never does anything: with `"reader"`
 * nobody reads (writes block once its buffer is full), with `"writer"` nobody writes (reads block).
 * The blocked I/O runs in libuv's thread pool; `release()` closes that end, and it returns.
 */
export function stuckFifo(end: "reader" | "writer"): { path: string; release(): void } {
  const path = join(scratch(), "pipe");
  execFileSync("mkfifo", [path]);
  // O_NONBLOCK for a reader, O_RDWR for a writer: neither open waits for the other end.
  const fd = openSync(path, end === "reader" ? constants.O_RDONLY | constants.O_NONBLOCK : constants.O_RDWR);
  return { path, release: () => closeSync(fd) };
}

/** Exits `stack` as `exitWithin` would, with its deadline already past: what the exit gives back. */
export function exitPastDeadline(stack: AsyncExitStack, failure?: Failure): Promise<boolean> {
  const deadline = new AbortController();
  const exiting = stack[aexit](failure, { signal: deadline.signal });
  deadline.abort(new TimeoutError("deadline"));
  return exiting;
}

/** Open file descriptors of this process (Linux /proc). */
export const openFds = (): number => readdirSync("/proc/self/fd").length;

/** Live (not zombie) processes in a process group, from /proc. */
export function liveInGroup(pgid: number): number[] {
  const live: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // [state, ppid, pgrp, ...]
      if (Number(fields[2]) === pgid && fields[0] !== "Z") live.push(Number(entry));
    } catch {} // the process ended while we looked
  }
  return live;
}

/** A distinct error value to check identity: the very same value must come back. */
export const boom = (message = "boom") => new Error(message);

/** Whether fileLock's directory says the lock is held: its newest epoch has no `released.N`. */
export function lockHeld(lockPath: string): boolean {
  const names = readdirSync(lockPath);
  const newest = Math.max(0, ...names.map((name) => Number(/^(?:held|released)\.(\d+)$/.exec(name)?.[1] ?? 0)));
  return newest > 0 && !names.includes(`released.${newest}`);
}

/** The record in the newest `held.N` of a lock directory. */
export function lockHolder(lockPath: string): { pid: number; host: string; takeover?: { why: string } } {
  const newest = Math.max(...readdirSync(lockPath).map((name) => Number(/^held\.(\d+)$/.exec(name)?.[1] ?? 0)));
  return JSON.parse(readFileSync(join(lockPath, `held.${newest}`), "utf8"));
}

/** Runs as the unprivileged user `nobody` (CI runs as root, so permissions need a second user). */
export const nobody = { uid: 65534, gid: 65534 };

/**
 * Runs `source` (an ES module that may import "@asyncwith/node") as `nobody`. It is bundled into a
 * directory everyone can read, since the checkout may sit where `nobody` cannot (a 0700 temp dir).
 */
export function asNobody(source: string, args: string[] = []): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), "asyncwith-nobody-"));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  const outfile = join(dir, "main.mjs");
  buildSync({
    stdin: { contents: source, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "ts" },
    alias: { "@asyncwith/node": fileURLToPath(new URL("../src/index.ts", import.meta.url)) },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    logLevel: "error",
  });
  chmodSync(outfile, 0o644);
  return spawn(nodeForNobody(), [outfile, ...args], { ...nobody, stdio: ["pipe", "pipe", "pipe"] });
}

let nobodyNode: string | undefined;
/** This Node if `nobody` may run it, else the one on PATH. */
function nodeForNobody(): string {
  nobodyNode ??= spawnSync(process.execPath, ["-e", "0"], nobody).status === 0 ? process.execPath : "node";
  return nobodyNode;
}

/** Everything a child printed, and how it ended. */
export async function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const [code] = await once(child, "close");
  return { code, stdout, stderr };
}
