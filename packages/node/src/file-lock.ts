import { type AsyncContextManager, contextManager, enterOptions } from "@asyncwith/core";
import { checkOptions, eitherSignal, expected } from "@asyncwith/core/adapter";
import { _acquire, _beat, _forget, _heldHere, _prepare, type _Record, _release, _stillHeld } from "./_lock-dir.js";
import { _cleanupAfter, _ms, _path, _realPath, type PathLike } from "./_shared.js";

/** Options of `fileLock`: waiting, staleness and the abort signal. */
export interface FileLockOptions {
  /** Wait while another holder has it (default), or fail at once with an `ELOCKED` error. */
  wait?: boolean;
  /** Gives up waiting when it aborts: the enter rejects with `signal.reason`. A signal given to the enter (`asyncWith(…, { signal })`, a `timeout` scope's) counts too. */
  signal?: AbortSignal;
  /**
   * A holder whose heartbeat is older than this may be taken over. At least 2,000 ms (a shorter
   * one lets a busy event loop lose its lock); default 10,000 ms. The heartbeat beats 4 times per
   * `stale`.
   */
  stale?: number;
  /** How often a waiter looks again. Default: 50 ms. */
  retryInterval?: number;
}

/** What the block gets: the lock directory, and a signal that aborts if the lock is lost while held. */
export interface HeldLock {
  /** The lock directory: `${path}.lock`, with `path` absolute and its symlinks resolved. */
  readonly lockPath: string;
  /** Aborts if another process took the lock over (this holder's heartbeat went stale). */
  readonly signal: AbortSignal;
}

/** The least `stale` accepted: below it a busy event loop would lose its lock to a waiter. */
export const _staleFloor = 2_000;

/**
 * A cross-process exclusive lock on `path`, held for the block. The path is resolved once, at the
 * call: absolute, with symlinks resolved, so a link and its target are one lock and `chdir` changes
 * nothing. A holder that died is taken over at once when it ran in this host's PID namespace and
 * boot (its pid no longer runs), and otherwise once its heartbeat is older than `stale` ms; exactly
 * one waiter takes it over. Released on exit, on every path. Not re-entrant: locking a path this
 * process already holds fails at once (`ELOCKED`) instead of waiting for itself forever.
 *
 * @example
 * await asyncWith(fileLock("state.json", { signal: AbortSignal.timeout(5_000) }), async () => {
 *   const state = JSON.parse(await readFile("state.json", "utf8"));
 *   await asyncWith(atomicWrite("state.json"), (f) => f.writeFile(JSON.stringify(next(state))));
 * });
 */
export function fileLock(path: PathLike, options: FileLockOptions = {}): AsyncContextManager<HeldLock, false> {
  checkOptions("fileLock()", options, { wait: "boolean" });
  const lockPath = `${_realPath(_path("fileLock()", path))}.lock`;
  const { wait = true, signal: ownSignal } = options;
  const stale = _ms("fileLock() options.stale", options.stale ?? 10_000);
  if (stale < _staleFloor)
    throw expected(
      `fileLock() options.stale to be at least ${_staleFloor} ms (a shorter one lets a busy event loop lose its lock)`,
      stale,
    );
  const retry = _ms("fileLock() options.retryInterval", options.retryInterval ?? 50);
  if (ownSignal !== undefined && !(ownSignal instanceof AbortSignal))
    throw expected("fileLock() options.signal to be an AbortSignal", ownSignal);
  return contextManager(
    async function* () {
      const signal = eitherSignal(ownSignal, enterOptions().signal); // its own, or asyncWith(…, { signal })'s
      if (_heldHere.has(lockPath)) throw _reentered(lockPath); // by this thread, through any copy of the package
      await _prepare(lockPath);
      const epoch = await _acquire(lockPath, { stale, wait, retry, signal }); // marks it held here
      try {
        const lost = new AbortController();
        const heartbeat = setInterval(() => void _check(lockPath, epoch, lost, true), stale / 4);
        heartbeat.unref();
        const release = async () => {
          clearInterval(heartbeat);
          await _check(lockPath, epoch, lost, false);
          if (lost.signal.aborted) throw lost.signal.reason;
          await _release(lockPath, epoch);
        };
        try {
          yield { lockPath, signal: lost.signal };
        } catch (error) {
          return await _cleanupAfter(error, release);
        }
        await release();
      } finally {
        _forget(lockPath);
      }
    },
    { name: "fileLock" },
  )();
}

/** Aborts `lost` (with an error saying why) once the epoch is no longer ours; else beats. */
async function _check(lockPath: string, epoch: number, lost: AbortController, beat: boolean): Promise<void> {
  if (lost.signal.aborted) return;
  try {
    const held = await _stillHeld(lockPath, epoch);
    if (held === true) return beat ? await _beat(lockPath, epoch) : undefined;
    lost.abort(_lost(lockPath, held.taker));
  } catch (error) {
    lost.abort(Object.assign(_lost(lockPath, undefined), { cause: error }));
  }
}

function _lost(lockPath: string, taker: _Record | undefined): Error {
  const how = taker?.takeover
    ? `pid ${taker.pid} on ${taker.host} took it over at ${taker.since} because ${taker.takeover.why}`
    : "its lock files were removed (by hand, or by a holder that took it over long ago)";
  return Object.assign(
    new Error(
      `The lock at ${lockPath} was lost while held: ${how}, so the block did not run exclusively. Keep the event loop free of long blocking work, or raise options.stale.`,
    ),
    { code: "ELOCKLOST" },
  );
}

function _reentered(lockPath: string): Error {
  const message = `Expected the lock at ${lockPath} to be free, got one held by this process (pid ${process.pid}): fileLock() is not re-entrant, and waiting for itself would never end. Take fileLock() once around the work, and serialise tasks inside one process with core's Lock.`;
  return Object.assign(new Error(message), { code: "ELOCKED" });
}
