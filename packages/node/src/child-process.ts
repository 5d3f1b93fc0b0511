import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process";
import { once } from "node:events";
import { type AsyncContextManager, contextManager, exitOptions } from "@asyncwith/core";
import { checkOptions, expected } from "@asyncwith/core/adapter";
import { _cleanupAfter, _ms } from "./_shared.js";
import { _killOnExit } from "./_exit-hook.js";
import { _Group } from "./_group.js";

/** Options of `childProcess`: Node's `spawn` options, plus how the child is stopped when the block ends. */
export interface ChildProcessOptions extends Omit<SpawnOptions, "detached"> {
  /** After SIGTERM, how long the process group has before SIGKILL. Default: 5,000 ms. */
  grace?: number;
  /** After a successful block, throw if the child exited non-zero or by a signal. Default: true. */
  check?: boolean;
  /**
   * Keep the child in this terminal's session and process group, so that password prompts (ssh,
   * sudo, git) and editors can use the terminal, and Ctrl-C reaches it too. The exit then signals
   * the child alone, not its descendants. Default: true when stdin is inherited from a terminal.
   */
  interactive?: boolean;
  /** `env` adds to `process.env` (default), or replaces it with `extendEnv: false`. */
  extendEnv?: boolean;
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
    super(
      `Expected ${command} to exit with code 0, got ${signalCode ? `killed by ${signalCode}` : `exit code ${exitCode}`}; pass { check: false } to accept any exit.`,
    );
  }
}

/**
 * Spawns a child in its own process group for the block. On success the exit waits for it to
 * finish (and throws `ChildProcessError` if it failed, unless `check: false`). When the block
 * throws, the exit sends SIGTERM to the whole group, waits up to `grace` ms, then SIGKILLs what is
 * left. Either way nothing of the group is left running. An exit deadline (`exitWithin`) cuts both
 * waits short: when it passes, the group is SIGKILLed at once. The enter fails if the command cannot start.
 *
 * @example
 * await asyncWith(childProcess("ffmpeg", ["-i", input, output], { stdio: "inherit" }), async (ffmpeg) => {
 *   await watchProgress(output); // if this throws, ffmpeg and its children are stopped
 * });
 */
export function childProcess(
  command: string,
  args: readonly string[] = [],
  options: ChildProcessOptions = {},
): AsyncContextManager<ChildProcess, false> {
  if (typeof command !== "string" || command === "")
    throw expected("childProcess() to be given a command name or path", command);
  if (!Array.isArray(args) || args.some((a) => typeof a !== "string"))
    throw expected("childProcess() args to be an array of strings", args);
  checkOptions("childProcess()", options, { check: "boolean", interactive: "boolean", extendEnv: "boolean" });
  const {
    grace: graceOption = 5_000,
    check = true,
    interactive = _terminalStdin(options.stdio),
    extendEnv = true,
    ...spawnOptions
  } = options;
  const grace = _ms("childProcess() options.grace", graceOption);
  const env = extendEnv && spawnOptions.env ? { ...process.env, ...spawnOptions.env } : spawnOptions.env;
  return contextManager(
    async function* () {
      // Own session and group (setsid): the whole tree can be signalled at once, and a terminal's
      // Ctrl-C reaches only us, so the exit decides what happens to the child.
      const group = !interactive && process.platform !== "win32";
      const child = spawn(command, args, { ...spawnOptions, env, detached: group });
      const exited = _exited(child);
      await once(child, "spawn");
      child.on("error", () => {}); // a failed kill() must not crash the process; exits are awaited below
      const target = new _Group(child, group);
      const forget = _killOnExit(target);
      try {
        try {
          yield child;
        } catch (error) {
          const deadline = exitOptions().signal; // an exitWithin() deadline cuts the grace short
          return await _cleanupAfter(error, () => _stop(target, exited, grace, deadline));
        }
        const deadline = exitOptions().signal; // when it aborts, the wait for the child ends with SIGKILL
        _drainUnread(child); // output nobody reads would block the child forever on a full pipe
        const { code, signal } = await _killAt(deadline, target, exited);
        await _stopGroup(target, grace, undefined, deadline);
        if (check && code !== 0) throw new ChildProcessError(command, code, signal);
      } finally {
        forget();
      }
    },
    { name: "childProcess" },
  )();
}

/** Resolves with the exit code and signal once the child has exited (even if it already has). */
function _exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => child.pid === undefined && resolve({ code: null, signal: null }));
  });
}

/** The failure path: SIGTERM the group, SIGKILL whatever outlives the grace period (or the exit's deadline). */
async function _stop(
  target: _Group,
  exited: Promise<unknown>,
  grace: number,
  deadline: AbortSignal | undefined,
): Promise<void> {
  _drainUnread(target.child);
  await _stopGroup(target, grace, exited, deadline);
  await exited;
}

/** Waits for the child to exit; if the exit's deadline passes first, SIGKILLs its group so nothing outlives the block. */
function _killAt<T>(deadline: AbortSignal | undefined, target: _Group, exited: Promise<T>): Promise<T> {
  if (!deadline) return exited;
  const kill = () => void target.signal("SIGKILL");
  if (deadline.aborted) kill();
  else deadline.addEventListener("abort", kill, { once: true });
  return exited.finally(() => deadline.removeEventListener("abort", kill));
}

function _terminalStdin(stdio: SpawnOptions["stdio"]): boolean {
  const stdin = typeof stdio === "string" ? stdio : stdio?.[0];
  return (stdin === "inherit" || stdin === 0 || stdin === process.stdin) && process.stdin.isTTY === true;
}

/** Reads and drops what the block left unread, so a child writing to a full pipe can finish. */
function _drainUnread(child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) if (stream && stream.readableFlowing !== true) stream.resume();
}

/** Signals the child's group (or the child alone) until none of it runs. */
async function _stopGroup(
  target: _Group,
  grace: number,
  exited?: Promise<unknown>,
  deadline?: AbortSignal,
): Promise<void> {
  if (!target.signal("SIGTERM")) return;
  let leaderGone = exited === undefined;
  void exited?.then(() => (leaderGone = true));
  if (await _until(() => leaderGone && !target.running(), grace, deadline)) return;
  target.signal("SIGKILL");
  // SIGKILL cannot be ignored, but delivery is not instant: wait (briefly) until nothing runs.
  await _until(() => !target.running(), 1_000);
}

/**
 * Looks at `done` for up to `ms` (less if `signal` aborts); whether it became true. The looks
 * start 5 ms apart and back off to 200 ms: a group that ends at once is seen at once, and a long
 * grace period costs a few dozen looks, not hundreds.
 */
async function _until(done: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
  for (
    let pause = 5, deadline = Date.now() + ms;
    Date.now() < deadline && !signal?.aborted;
    pause = Math.min(200, pause * 2)
  ) {
    await new Promise<void>((resolve) => {
      const wake = () => (clearTimeout(timer), signal?.removeEventListener("abort", wake), resolve());
      const timer = setTimeout(wake, Math.min(pause, Math.max(1, deadline - Date.now())));
      signal?.addEventListener("abort", wake, { once: true });
    });
    if (done()) return true;
  }
  return false;
}
