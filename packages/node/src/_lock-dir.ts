// fileLock's on-disk protocol. Not exported from the package.
//
// The lock is a directory `${path}.lock` holding numbered epochs. `held.N` is created with
// link(), which fails if the name exists, so exactly one process creates each epoch. The holder of
// `held.N` holds the lock until it writes `released.N`, or until `held.N+1` exists (it was judged
// stale and taken over). Taking over never removes, renames or replaces anything: it creates the
// next epoch, exactly like acquiring a released lock. Nothing current is ever deleted, so a slow
// waiter can never move a fresh lock aside; old epochs are swept by the next holders.
import { randomBytes } from "node:crypto";
import { link, lstat, lutimes, mkdir, readdir, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { threadId } from "node:worker_threads";
import { _foreign, _locked, _otherUser, _read, type _Record, _who } from "./_lock-entry.js";
import { _identity, _ignoreMissing, _isRunning, _samePidSpace } from "./_shared.js";

export type { _Record };

/**
 * What this thread holds: lock directory → token, and every token it holds or is creating right
 * now. Shared by every copy of the package loaded in the thread (its ESM and CJS builds, two
 * versions), so that no copy judges another's live lock abandoned. Worker threads have their own:
 * for them, another thread's lock is judged by its heartbeat.
 */
const _here: { held: Map<string, string>; tokens: Set<string> } = ((globalThis as Record<symbol, never>)[
  Symbol.for("asyncwith.fileLock.thread")
] ??= { held: new Map(), tokens: new Set() } as never);
export const _heldHere = _here.held;

interface _View {
  epoch: number;
  free: boolean;
  holder?: _Record;
  beat: number;
}

const _marker = "asyncwith-lock";
const _epochName = /^(held|released)\.(\d+)$/;
const _held = (dir: string, epoch: number) => join(dir, `held.${epoch}`);

/**
 * Makes sure `dir` is a lock directory of ours. A file, a link, or a directory another user owns (who
 * could plant links and FIFOs in it for our heartbeat and reads to follow) is a clear error.
 */
export async function _prepare(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    await writeFile(join(dir, _marker), "", { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const info = await lstat(dir);
    if (info.isSymbolicLink()) throw _foreign(dir, "a symbolic link");
    if (!info.isDirectory()) throw _foreign(dir, "a file");
    const uid = process.geteuid?.();
    if (uid !== undefined && info.uid !== uid) throw _otherUser(dir, info.uid, uid);
  }
}

export interface _Attempt {
  stale: number;
  wait: boolean;
  retry: number;
  signal?: AbortSignal;
}

/** Waits for the lock (or fails at once with `wait: false`); resolves to the epoch now held. */
export async function _acquire(dir: string, { stale, wait, retry, signal }: _Attempt): Promise<number> {
  const watch: { seen?: _Watch } = {};
  for (;;) {
    signal?.throwIfAborted();
    const view = await _look(dir, stale);
    if (view) {
      const why = view.free ? undefined : _staleness(view, stale, watch, retry);
      if (view.free || why !== undefined) {
        const takeover = why === undefined ? undefined : { from: _who(view.holder), why };
        const token = randomBytes(12).toString("hex");
        _here.tokens.add(token); // ours from the moment its epoch may exist
        if (await _create(dir, view.epoch + 1, takeover, stale, token))
          return (_heldHere.set(dir, token), view.epoch + 1);
        _here.tokens.delete(token);
        continue; // another process created that epoch first: look again at once
      }
      if (!wait) throw _locked(dir, view.holder);
    }
    await delay(retry * (0.5 + Math.random()), undefined, { signal }).catch(() => signal!.throwIfAborted());
  }
}

/**
 * True while `epoch` is ours; otherwise who took it over (when known). Order matters: the sweep
 * removes old epochs oldest first, so `held.N` present after `held.N+1` was absent means not lost.
 */
export async function _stillHeld(dir: string, epoch: number): Promise<true | { taker?: _Record }> {
  const next = await _read(_held(dir, epoch + 1));
  if (next) return { taker: next.record };
  return (await _read(_held(dir, epoch))) ? true : {};
}

/** Refreshes the heartbeat (the mtime of `held.N`). */
export const _beat = (dir: string, epoch: number): Promise<void> => lutimes(_held(dir, epoch), new Date(), new Date());

/** Lets go: the next waiter may create the next epoch. */
export const _release = (dir: string, epoch: number): Promise<void> =>
  writeFile(join(dir, `released.${epoch}`), "", { flag: "wx" });

/** This thread no longer holds the lock (released, lost or failed): its epoch may be judged gone. */
export const _forget = (dir: string): void => void (_here.tokens.delete(_heldHere.get(dir)!), _heldHere.delete(dir));

/** The newest epoch and its holder, or undefined when the directory is between states (look again). */
async function _look(dir: string, stale: number): Promise<_View | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    _ignoreMissing(error); // removed by hand while we waited: make it again
    await _prepare(dir);
    return undefined;
  }
  const epoch = _newest(names);
  if (!names.includes(_marker) && epoch === 0) return _unmarked(dir, names, stale);
  if (epoch === 0 || names.includes(`released.${epoch}`)) return { epoch, free: true, beat: 0 };
  const held = await _read(_held(dir, epoch));
  return held && { epoch, free: false, holder: held.record, beat: held.beat };
}

/**
 * A lock directory without the marker. Just made by a peer: look again. Empty and untouched for
 * longer than `stale`: its maker was killed between creating it and marking it (or it is another
 * tool's lock, abandoned as long): marked now. Otherwise another tool's lock (proper-lockfile makes
 * empty directories) is in the way: a clear error, rather than waiting on what fileLock cannot read.
 */
async function _unmarked(dir: string, names: string[], stale: number): Promise<undefined> {
  const age = Date.now() - (await lstat(dir)).mtimeMs;
  if (age < 2_000) return undefined;
  if (names.length > 0 || age <= stale)
    throw _foreign(
      dir,
      `a directory without fileLock()'s marker (proper-lockfile makes such directories; an empty one left by a fileLock() killed while making it is taken back once untouched for ${stale} ms)`,
    );
  await writeFile(join(dir, _marker), "", { flag: "wx" }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error; // another waiter marked it first
  });
  return undefined;
}

/**
 * Why the holder counts as gone, or undefined while it holds. Where a pid means something (this
 * host, PID namespace and boot) the answer is exact and the heartbeat does not count: a live holder
 * is never taken over, frozen or slow; this thread knows its own locks by token. Only a holder
 * elsewhere — another host or container, or another thread of this process — is judged by its
 * heartbeat, against the larger of its `stale` and ours.
 */
function _staleness(view: _View, stale: number, watch: { seen?: _Watch }, retry: number): string | undefined {
  const holder = view.holder;
  if (holder && _samePidSpace(holder)) {
    const mine = holder.pid === process.pid && holder.thread === threadId && holder.token !== undefined;
    if (mine) return _here.tokens.has(holder.token!) ? undefined : "this thread held it and no longer does";
    if (holder.pid !== process.pid)
      return _isRunning(holder.pid, holder.start)
        ? undefined
        : `its holder, pid ${holder.pid}, is no longer running on this host`;
  }
  const limit = Math.max(stale, typeof holder?.stale === "number" ? holder.stale : 0);
  const now = Date.now();
  const seen = _watched(watch, view, now, Math.max(limit / 2, retry * 2));
  // Another thread of this process was frozen with us whenever we were: only silence we watched counts.
  if (seen.own || (holder?.pid === process.pid && _samePidSpace(holder))) {
    const watched = now - seen.since;
    return watched > limit
      ? `its holder's heartbeat stood still for the ${watched} ms this waiter watched it (stale after ${limit} ms)`
      : undefined;
  }
  const age = Math.round(now - view.beat);
  return age > limit ? `its holder's heartbeat was ${age} ms old (stale after ${limit} ms)` : undefined;
}

/**
 * A waiter's own watch of one heartbeat. The age of `held.N`'s mtime can lie: a process frozen
 * whole (SIGSTOP, a suspended machine) resumes seeing every heartbeat as old as the freeze, before
 * the holder — maybe one of its own threads — had a turn to beat. So a waiter that stopped looking
 * for longer than `gap` (it was frozen, or its event loop was) counts from its next look instead.
 */
interface _Watch {
  epoch: number;
  beat: number;
  since: number;
  last: number;
  /** Counting from our own look, not from the mtime: we had a gap. */
  own: boolean;
}

function _watched(watch: { seen?: _Watch }, view: _View, now: number, gap: number): _Watch {
  const seen = watch.seen;
  if (!seen || seen.epoch !== view.epoch || seen.beat !== view.beat)
    return (watch.seen = { epoch: view.epoch, beat: view.beat, since: now, last: now, own: false });
  if (now - seen.last > gap) Object.assign(seen, { since: now, own: true });
  seen.last = now;
  return seen;
}

/** Creates `held.N` with our record in one step; false if another process created it first. */
async function _create(
  dir: string,
  epoch: number,
  takeover: _Record["takeover"],
  stale: number,
  token: string,
): Promise<boolean> {
  const since = new Date().toISOString();
  const record: _Record = { ..._identity(), since, token, stale, ...(takeover && { takeover }) };
  const draft = join(dir, `draft.${randomBytes(8).toString("hex")}`);
  try {
    await writeFile(draft, JSON.stringify(record), { flag: "wx" });
    await link(draft, _held(dir, epoch));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOENT") return false; // taken first, or the directory was swept away
    throw error;
  } finally {
    await unlink(draft).catch(_ignoreMissing);
  }
  // A waiter that looked long ago may recreate an epoch the sweep removed; newer epochs then exist.
  const names = await readdir(dir);
  if (_newest(names) > epoch) {
    await unlink(_held(dir, epoch)).catch(_ignoreMissing);
    return false;
  }
  await _sweep(dir, names, epoch, stale);
  return true;
}

/** Removes epochs older than the previous one, and drafts left by waiters that were killed. */
async function _sweep(dir: string, names: string[], epoch: number, stale: number): Promise<void> {
  const old = names.map((name) => [name, Number(_epochName.exec(name)?.[2])] as const).filter(([, n]) => n < epoch - 1);
  for (const [name] of old.sort((a, b) => a[1] - b[1])) await unlink(join(dir, name)).catch(_ignoreMissing);
  for (const name of names.filter((n) => n.startsWith("draft."))) {
    const draft = await _read(join(dir, name));
    const dead = draft?.record && _samePidSpace(draft.record) && !_isRunning(draft.record.pid);
    if (draft && (dead || Date.now() - draft.beat > stale)) await unlink(join(dir, name)).catch(_ignoreMissing);
  }
}

function _newest(names: string[]): number {
  let newest = 0;
  for (const name of names) newest = Math.max(newest, Number(_epochName.exec(name)?.[2] ?? 0));
  return newest;
}
