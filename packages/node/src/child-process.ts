import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import type { AsyncContextManager } from "@asyncwith/core";
import { _cleanupAfter, _expected, _ms, _resource } from "./_shared.js";

export interface ChildProcessOptions extends Omit<SpawnOptions, "detached"> {
  /** After SIGTERM, how long the process group has before SIGKILL. Default: 5,000 ms. */
  grace?: number;
  /** After a successful block, throw if the child exited non-zero or by a signal. Default: true. */
  check?: boolean;
}

/**
 * Thrown by a `childProcess` exit when `check` is on and the child did not exit with code 0.
 * @example
 * await asyncWith(childProcess("make", ["test"]), () => {}).catch((e) => {
 *   if (e instanceof ChildProcessError) process.exitCode = e.exitCode ?? 1;
 * });
 */
export class ChildProcessError extends Error {
  override name = "ChildProcessError";
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly signalCode: NodeJS.Signals | null,
  ) {
    super(`Expected ${command} to exit with code 0, got ${signalCode ? `killed by ${signalCode}` : `exit code ${exitCode}`}; pass { check: false } to accept any exit.`);
  }
}

/**
 * Spawns a child in its own process group for the block. On success the exit waits for it to
 * finish (and throws `ChildProcessError` if it failed, unless `check: false`). When the block
 * throws, the exit sends SIGTERM to the whole group, waits up to `grace` ms, then SIGKILLs what is
 * left. Either way nothing of the group is left running. The enter fails if the command cannot start.
 *
 * @example
 * await asyncWith(childProcess("ffmpeg", ["-i", input, output], { stdio: "inherit" }), async (ffmpeg) => {
 *   await watchProgress(output); // if this throws, ffmpeg and its children are stopped
 * });
 */
export function childProcess(command: string, args: readonly string[] = [], options: ChildProcessOptions = {}): AsyncContextManager<ChildProcess, false> {
  if (typeof command !== "string" || command === "") throw _expected("childProcess() to be given a command name or path", command);
  if (!Array.isArray(args) || args.some((a) => typeof a !== "string")) throw _expected("childProcess() args to be an array of strings", args);
  const { grace: graceOption = 5_000, check = true, ...spawnOptions } = options;
  const grace = _ms("childProcess() options.grace", graceOption);
  return _resource("childProcess", async function* () {
    // Own group (POSIX setsid): the whole tree can be signalled at once, and a terminal's Ctrl-C
    // reaches only us, so the exit decides what happens to the child.
    const child = spawn(command, args, { ...spawnOptions, detached: process.platform !== "win32" });
    const exited = _exited(child);
    await once(child, "spawn");
    child.on("error", () => {}); // a failed kill() must not crash the process; exits are awaited below
    try {
      yield child;
    } catch (error) {
      return await _cleanupAfter(error, () => _stop(child, exited, grace));
    }
    const { code, signal } = await exited;
    await _stopGroup(child, grace);
    if (check && code !== 0) throw new ChildProcessError(command, code, signal);
  });
}

/** Resolves with the exit code and signal once the child has exited (even if it already has). */
function _exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => child.pid === undefined && resolve({ code: null, signal: null }));
  });
}

/** The failure path: SIGTERM the group, SIGKILL whatever outlives the grace period. */
async function _stop(child: ChildProcess, exited: Promise<unknown>, grace: number): Promise<void> {
  await _stopGroup(child, grace, exited);
  await exited;
}

/** Signals the child's group (or the child alone on Windows) until none of it runs. */
async function _stopGroup(child: ChildProcess, grace: number, exited?: Promise<unknown>): Promise<void> {
  if (!_signal(child, "SIGTERM")) return;
  let leaderGone = exited === undefined;
  void exited?.then(() => (leaderGone = true));
  if (await _until(() => leaderGone && !_running(child), grace)) return;
  _signal(child, "SIGKILL");
  // SIGKILL cannot be ignored, but delivery is not instant: wait (briefly) until nothing runs.
  await _until(() => !_running(child), 1_000);
}

/** Polls `done` every 20 ms for up to `ms`; whether it became true. */
async function _until(done: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(20, ms)));
    if (done()) return true;
  }
  return false;
}

/**
 * Whether anything of the group still runs. On Linux, zombies do not count: a grandchild that died
 * waits for init to reap it, and `kill(-pgid, 0)` would report it until then.
 */
function _running(child: ChildProcess): boolean {
  if (process.platform !== "linux") return _signal(child, 0);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(group) === child.pid && state !== "Z") return true;
    } catch {} // it ended while we looked
  }
  return false;
}

/** Sends `signal` to the child's process group; false when nothing of it is left to signal. */
function _signal(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  try {
    if (process.platform === "win32") return signal === 0 ? child.exitCode === null && child.signalCode === null : child.kill(signal);
    process.kill(-child.pid!, signal);
    return true;
  } catch {
    return false;
  }
}
