// fileLock's entries on disk: the record a holder writes, read safely, and the errors that name it.
// Not exported from the package.
import { constants } from "node:fs";
import { lstat, open } from "node:fs/promises";
import { type _Identity, _ignoreMissing } from "./_shared.js";

/** Who holds an epoch; a takeover also says whom it replaced and which rule judged them stale. */
export interface _Record extends _Identity {
  since: string;
  /** This acquisition's own mark: the holder's thread knows whether it still holds it. */
  token?: string;
  /** The holder's `stale`: a waiter judges its heartbeat by the larger of this and its own. */
  stale?: number;
  takeover?: { from: _Identity; why: string };
}

/**
 * An entry's record and heartbeat. Opened without following a link and without blocking, so that a
 * symlink or a FIFO in its place can neither redirect the read nor hang it: such an entry is not
 * ours, and only its age counts.
 */
export async function _read(path: string): Promise<{ record?: _Record; beat: number } | undefined> {
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  try {
    const file = await open(path, flags).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "ELOOP") throw error;
      return (await lstat(path)).mtimeMs; // a symbolic link
    });
    if (typeof file === "number") return { beat: file };
    try {
      const info = await file.stat();
      if (!info.isFile()) return { beat: info.mtimeMs };
      return { record: _parse(await file.readFile("utf8")), beat: info.mtimeMs };
    } finally {
      await file.close();
    }
  } catch (error) {
    _ignoreMissing(error);
    return undefined;
  }
}

function _parse(text: string): _Record | undefined {
  try {
    const parsed = JSON.parse(text) as _Record;
    if (Number.isInteger(parsed.pid) && typeof parsed.host === "string") return parsed;
  } catch {} // not ours or damaged: only its age counts
  return undefined;
}

export const _who = (record?: _Record): _Identity =>
  record
    ? { pid: record.pid, host: record.host, pidns: record.pidns, boot: record.boot, thread: record.thread }
    : { pid: 0, host: "an unknown host" };

export function _locked(dir: string, holder?: _Record): Error {
  const who = holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : "an unknown holder";
  return Object.assign(
    new Error(
      `Expected the lock at ${dir} to be free, got one held by ${who}; leave options.wait at true to wait for it.`,
    ),
    { code: "ELOCKED", owner: holder },
  );
}

export function _otherUser(dir: string, owner: number, uid: number): Error {
  return Object.assign(
    new Error(
      `Expected ${dir} to be a lock directory of this user (uid ${uid}), got one owned by uid ${owner}. fileLock() trusts only its own user's lock directories, since their owner can plant links in them; run every process sharing this lock as one user, or lock a path in a directory only that user can write.`,
    ),
    { code: "EFOREIGNLOCK" },
  );
}

export function _foreign(dir: string, got: string): Error {
  return Object.assign(
    new Error(
      `Expected ${dir} to be a lock directory made by fileLock(), got ${got}. Another tool locks this path; remove it if no process holds it, or lock another path.`,
    ),
    { code: "EFOREIGNLOCK" },
  );
}
