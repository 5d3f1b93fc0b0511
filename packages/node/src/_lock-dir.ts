// fileLock's on-disk protocol. Not exported from the package.
//
// The lock is a directory `${path}.lock` holding numbered epochs. `held.N` is created with
// link(), which fails if the name exists, so exactly one process creates each epoch. The holder of
// `held.N` holds the lock until it writes `released.N`, or until `held.N+1` exists (it was judged
// stale and taken over). Taking over never removes, renames or replaces anything: it creates the
// next epoch, exactly like acquiring a released lock. Nothing current is ever deleted, so a slow
// waiter can never move a fresh lock aside; old epochs are swept by the next holders.
import { randomBytes } from "node:crypto";
import { link, lstat, mkdir, readdir, readFile, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { _identity, type _Identity, _ignoreMissing, _isRunning, _samePidSpace } from "./_shared.js";

/** Who holds an epoch; a takeover also says whom it replaced and which rule judged them stale. */
export interface _Record extends _Identity {
  since: string;
  takeover?: { from: _Identity; why: string };
}

interface _View {
  epoch: number;
  free: boolean;
  holder?: _Record;
  beat: number;
}

const _marker = "asyncwith-lock";
const _epochName = /^(held|released)\.(\d+)$/;
const _held = (dir: string, epoch: number) => join(dir, `held.${epoch}`);

/** Makes sure `dir` is a lock directory of ours; a file or someone else's directory is a clear error. */
export async function _prepare(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    await writeFile(join(dir, _marker), "", { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (!(await lstat(dir)).isDirectory()) throw _foreign(dir, "a file");
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
  for (;;) {
    signal?.throwIfAborted();
    const view = await _look(dir);
    if (view) {
      const why = view.free ? undefined : _staleness(view, stale);
      if (view.free || why !== undefined) {
        const takeover = why === undefined ? undefined : { from: _who(view.holder), why };
        if (await _create(dir, view.epoch + 1, takeover, stale)) return view.epoch + 1;
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
export const _beat = (dir: string, epoch: number): Promise<void> => utimes(_held(dir, epoch), new Date(), new Date());

/** Lets go: the next waiter may create the next epoch. */
export const _release = (dir: string, epoch: number): Promise<void> =>
  writeFile(join(dir, `released.${epoch}`), "", { flag: "wx" });

/** The newest epoch and its holder, or undefined when the directory is between states (look again). */
async function _look(dir: string): Promise<_View | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    _ignoreMissing(error); // removed by hand while we waited: make it again
    await _prepare(dir);
    return undefined;
  }
  const epoch = _newest(names);
  if (!names.includes(_marker) && epoch === 0) {
    const age = Date.now() - (await stat(dir)).mtimeMs;
    if (age < 2_000) return undefined; // a peer has just made it and is writing its marker
    throw _foreign(dir, "a directory without fileLock()'s marker (proper-lockfile makes such directories)");
  }
  if (epoch === 0 || names.includes(`released.${epoch}`)) return { epoch, free: true, beat: 0 };
  const held = await _read(_held(dir, epoch));
  return held && { epoch, free: false, holder: held.record, beat: held.beat };
}

/** Why the holder counts as gone, or undefined while it holds. */
function _staleness(view: _View, stale: number): string | undefined {
  const holder = view.holder;
  if (holder && _samePidSpace(holder)) {
    if (holder.pid === process.pid) return `it was held by this process (pid ${holder.pid}), which no longer holds it`;
    if (!_isRunning(holder.pid)) return `its holder, pid ${holder.pid}, is no longer running on this host`;
  }
  const age = Math.round(Date.now() - view.beat);
  return age > stale ? `its holder's heartbeat was ${age} ms old (stale after ${stale} ms)` : undefined;
}

/** Creates `held.N` with our record in one step; false if another process created it first. */
async function _create(dir: string, epoch: number, takeover: _Record["takeover"], stale: number): Promise<boolean> {
  const record: _Record = { ..._identity(), since: new Date().toISOString(), ...(takeover && { takeover }) };
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

async function _read(path: string): Promise<{ record?: _Record; beat: number } | undefined> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, "utf8")]);
    let record: _Record | undefined;
    try {
      const parsed = JSON.parse(text) as _Record;
      if (Number.isInteger(parsed.pid) && typeof parsed.host === "string") record = parsed;
    } catch {} // not ours or damaged: only its age counts
    return { record, beat: info.mtimeMs };
  } catch (error) {
    _ignoreMissing(error);
    return undefined;
  }
}

const _who = (record?: _Record): _Identity =>
  record
    ? { pid: record.pid, host: record.host, pidns: record.pidns, boot: record.boot }
    : { pid: 0, host: "an unknown host" };

function _locked(dir: string, holder?: _Record): Error {
  const who = holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : "an unknown holder";
  return Object.assign(
    new Error(
      `Expected the lock at ${dir} to be free, got one held by ${who}; leave options.wait at true to wait for it.`,
    ),
    { code: "ELOCKED", owner: holder },
  );
}

function _foreign(dir: string, got: string): Error {
  return Object.assign(
    new Error(
      `Expected ${dir} to be a lock directory made by fileLock(), got ${got}. Another tool locks this path; remove it if no process holds it, or lock another path.`,
    ),
    { code: "EFOREIGNLOCK" },
  );
}
