import { randomBytes } from "node:crypto";
import { link, readFile, rename, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import type { AsyncContextManager } from "@asyncwith/core";
import { _cleanupAfter, _expected, _ignoreMissing, _isRunning, _ms, _path, _resource, type PathLike } from "./_shared.js";

export interface FileLockOptions {
  /** Wait while another holder has it (default), or fail at once with an `ELOCKED` error. */
  wait?: boolean;
  /** Gives up waiting when it aborts: the enter rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** A lock whose holder's heartbeat is older than this may be taken over. Default: 10,000 ms. */
  stale?: number;
  /** How often a waiter looks again. Default: 50 ms. */
  retryInterval?: number;
}

/** What the block gets: the lock file, and a signal that aborts if the lock is lost while held. */
export interface HeldLock {
  /** The lock file: `${path}.lock`. */
  readonly lockPath: string;
  /** Aborts if another process took the lock over (this holder's heartbeat went stale). */
  readonly signal: AbortSignal;
}

/**
 * A cross-process exclusive lock on `path`, held for the block: the lock file `${path}.lock` is
 * created atomically with the holder's pid and host, and its mtime is the holder's heartbeat.
 * Takeover rule: a lock is stale when its holder is on this host and its pid no longer runs, or
 * when its heartbeat is older than `stale` ms; a waiter then takes it over, one waiter only.
 * Released (the lock file removed) on exit, on every path.
 *
 * @example
 * await asyncWith(fileLock("state.json", { signal: AbortSignal.timeout(5_000) }), async () => {
 *   const state = JSON.parse(await readFile("state.json", "utf8"));
 *   await asyncWith(atomicWrite("state.json"), (f) => f.writeFile(JSON.stringify(next(state))));
 * });
 */
export function fileLock(path: PathLike, options: FileLockOptions = {}): AsyncContextManager<HeldLock, false> {
  const lockPath = `${_path("fileLock()", path)}.lock`;
  const { wait = true, signal } = options;
  const stale = _ms("fileLock() options.stale", options.stale ?? 10_000);
  const retry = _ms("fileLock() options.retryInterval", options.retryInterval ?? 50);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw _expected("fileLock() options.signal to be an AbortSignal", signal);
  return _resource("fileLock", async function* () {
    const ino = await _acquire(lockPath, stale, wait, retry, signal);
    const lost = new AbortController();
    const heartbeat = setInterval(() => void _beat(lockPath, ino, lost), stale / 3);
    heartbeat.unref();
    try {
      yield { lockPath, signal: lost.signal };
    } catch (error) {
      return await _cleanupAfter(error, () => _release(lockPath, ino, heartbeat));
    }
    await _release(lockPath, ino, heartbeat);
  });
}

interface _Owner {
  pid: number;
  host: string;
  since: string;
}

/** Creates the lock file with its owner record in one step (link fails if it exists); returns its inode. */
async function _acquire(lockPath: string, stale: number, wait: boolean, retry: number, signal?: AbortSignal): Promise<bigint> {
  const owner: _Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const draft = `${lockPath}.${process.pid}-${randomBytes(6).toString("hex")}`;
  await writeFile(draft, JSON.stringify(owner), { flag: "wx" });
  try {
    for (;;) {
      signal?.throwIfAborted();
      try {
        await link(draft, lockPath);
        return (await stat(lockPath, { bigint: true })).ino;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const held = await _inspect(lockPath);
      if (held && _isStale(held, stale)) await _takeOver(lockPath, held.ino);
      else if (held && !wait) throw _locked(lockPath, held.owner);
      else if (held) await delay(retry * (0.5 + Math.random()), undefined, { signal }).catch(() => signal!.throwIfAborted());
    }
  } finally {
    await unlink(draft).catch(_ignoreMissing);
  }
}

/** The current lock file's owner, inode and heartbeat, or nothing when it just went away. */
async function _inspect(lockPath: string) {
  try {
    const info = await stat(lockPath, { bigint: true });
    const owner = _parseOwner(await readFile(lockPath, "utf8"));
    return { owner, ino: info.ino, beat: Number(info.mtimeMs) };
  } catch (error) {
    _ignoreMissing(error);
    return undefined;
  }
}

/** A lock file this package did not write (or a damaged one) has no known owner: only its age counts. */
function _parseOwner(text: string): _Owner {
  try {
    const owner = JSON.parse(text) as _Owner;
    if (Number.isInteger(owner.pid) && typeof owner.host === "string") return owner;
  } catch {}
  return { pid: 0, host: "an unknown host", since: "an unknown time" };
}

function _isStale(held: { owner: _Owner; beat: number }, stale: number): boolean {
  if (held.owner.host === hostname() && !_isRunning(held.owner.pid)) return true;
  return Date.now() - held.beat > stale;
}

/**
 * Moves the stale lock aside. Rename is atomic, so of several waiters that judged the same lock
 * stale only one moves it; if what it moved is a fresh lock (taken between the look and the
 * rename), it puts it back.
 */
async function _takeOver(lockPath: string, staleIno: bigint): Promise<void> {
  const aside = `${lockPath}.${process.pid}-${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    return _ignoreMissing(error);
  }
  if ((await stat(aside, { bigint: true })).ino !== staleIno) await link(aside, lockPath).catch(() => {});
  await unlink(aside);
}

/** Refreshes the heartbeat; if the lock file is no longer ours, aborts the holder's signal. */
async function _beat(lockPath: string, ino: bigint, lost: AbortController): Promise<void> {
  try {
    if ((await stat(lockPath, { bigint: true })).ino !== ino) throw new Error("replaced");
    const now = new Date();
    await utimes(lockPath, now, now);
  } catch {
    lost.abort(new Error(`The lock at ${lockPath} was lost while held: another process judged it stale and took it over. Keep the event loop free of long blocking work, or raise options.stale.`));
  }
}

async function _release(lockPath: string, ino: bigint, heartbeat: NodeJS.Timeout): Promise<void> {
  clearInterval(heartbeat);
  const current = await stat(lockPath, { bigint: true }).catch(() => undefined);
  if (current?.ino !== ino) {
    throw new Error(`The lock at ${lockPath} was lost while held: another process took it over, so the block did not run exclusively. Raise options.stale if the holder can block for long.`);
  }
  await unlink(lockPath);
}

function _locked(lockPath: string, owner: _Owner): Error {
  const error = new Error(`Expected the lock at ${lockPath} to be free, got one held by pid ${owner.pid} on ${owner.host} since ${owner.since}; leave options.wait at true to wait for it.`);
  return Object.assign(error, { code: "ELOCKED", owner });
}
