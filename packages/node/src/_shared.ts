// Helpers every manager of this package shares. Not exported from the package.
import { readFileSync, readlinkSync, realpathSync } from "node:fs";
import { hostname } from "node:os";
import { threadId } from "node:worker_threads";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExitOptions, Failure } from "@asyncwith/core";
import { expected, suppressed, untilAborted } from "@asyncwith/core/adapter";

/** A file-system path: a string or a `file:` URL. */
export type PathLike = string | URL;

/** Accepts a string or `file:` URL path and gives it as a string; anything else is a clear TypeError. */
export function _path(name: string, path: unknown): string {
  if (typeof path === "string" && path !== "") return path;
  if (path instanceof URL && path.protocol === "file:") return fileURLToPath(path);
  throw expected(`${name} to be given a path (a non-empty string or a file: URL)`, path);
}

/**
 * Runs cleanup on the failure path: if it throws, the body's error is never hidden; both travel
 * as `new SuppressedError(cleanupError, bodyError)`, as `await using` combines them.
 */
export async function _cleanupAfter(bodyError: unknown, cleanup: () => Promise<unknown>): Promise<never> {
  try {
    await cleanup();
  } catch (cleanupError) {
    throw suppressed(cleanupError, bodyError);
  }
  throw bodyError;
}

/**
 * A `resource()` exit that releases on every path. A release that fails while the block's error is
 * in flight never hides it: both travel as `SuppressedError(releaseError, blockError)`. At an exit
 * deadline the exit stops waiting (a close held by a read stuck in the thread pool finishes by itself
 * once that read returns).
 */
export const _releasing =
  <T>(release: (value: T) => Promise<unknown>) =>
  async (value: T, failure?: Failure, options?: ExitOptions): Promise<void> => {
    const signal = options?.signal;
    try {
      await untilAborted(release(value), signal);
    } catch (error) {
      if (signal?.aborted && error === signal.reason) return; // past the deadline: exitWithin has already failed
      throw failure ? suppressed(error, failure.error) : error;
    }
  };

/** A non-negative finite number of milliseconds, or a clear TypeError. */
export function _ms(name: string, value: unknown): number {
  if (typeof value === "number" && value >= 0 && Number.isFinite(value)) return value;
  throw expected(`${name} to be a non-negative number of milliseconds`, value);
}

/** Ignores "no such file": the thing to remove is already gone, which is what was wanted. */
export function _ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException)?.code !== "ENOENT") throw error;
}

/**
 * Whether a process with this pid exists (EPERM: it does, owned by someone else) — and, given the
 * start time recorded for it, whether it is still that process and not a later one with its number.
 */
export function _isRunning(pid: number, start?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = start === undefined ? undefined : _startOf(pid);
  return now === undefined || now === start;
}

/** When a process started (clock ticks since boot, /proc/<pid>/stat); undefined outside Linux or once it is gone. */
export function _startOf(pid: number | "self"): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]; // the name may hold spaces and parentheses
  } catch {
    return undefined;
  }
}

/**
 * Where this process runs. A pid means something only inside one PID namespace of one boot of one
 * host: another container sharing a volume may reuse our pids for other processes. Outside Linux
 * the namespace and boot are unknown (undefined), and a pid is trusted on the same host alone.
 */
export interface _Identity {
  pid: number;
  host: string;
  pidns?: string;
  boot?: string;
  /** The process's start time: a later process with the same pid is not it. */
  start?: string;
  /** The worker thread (0: the main thread): threads of one process share its pid. */
  thread?: number;
}

let _self: _Identity | undefined;
export function _identity(): _Identity {
  if (_self && _self.pid === process.pid) return _self;
  const read = (read: () => string) => {
    try {
      return read().trim();
    } catch {
      return undefined;
    }
  };
  return (_self = {
    pid: process.pid,
    host: hostname(),
    pidns: read(() => readlinkSync("/proc/self/ns/pid")),
    boot: read(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8")),
    start: _startOf("self"),
    thread: threadId,
  });
}

/** Whether `other` ran where a pid check means something for us: same host, PID namespace and boot. */
export function _samePidSpace(other: Partial<_Identity>): boolean {
  const self = _identity();
  return other.host === self.host && other.pidns === self.pidns && other.boot === self.boot;
}

/**
 * The absolute path with every symlink resolved as far as the path exists, so that a symlink and
 * its target (and `chdir`) lead to one path. A dangling final symlink is followed to the path it
 * names; missing components are kept as given.
 */
export function _realPath(path: string, hops = 0): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const parent = dirname(absolute);
  if (parent === absolute) return absolute;
  let link: string | undefined;
  try {
    link = readlinkSync(absolute);
  } catch {} // missing, or not a link: keep the name under the resolved parent
  if (link === undefined) return join(_realPath(parent, hops), basename(absolute));
  if (hops >= 40) throw Object.assign(new Error(`Too many levels of symbolic links at ${absolute}`), { code: "ELOOP" });
  return _realPath(resolve(parent, link), hops + 1);
}
