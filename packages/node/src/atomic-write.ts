import type { Stats } from "node:fs";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { type AsyncContextManager, contextManager, Lock } from "@asyncwith/core";
import { checkOptions, expected } from "@asyncwith/core/adapter";
import { _cleanupAfter, _ignoreMissing, _path, type PathLike } from "./_shared.js";
import { _sweepTemps, _tempName } from "./_temp-names.js";
import { _writeTarget } from "./_write-target.js";

/** Options of `atomicWrite`: the new file's mode, durability, streaming, and sweeping stale temporary files. */
export interface AtomicWriteOptions {
  /** Mode of a new file. An existing target keeps its own mode. Default: `0o666` (minus umask). */
  mode?: number;
  /** fsync the file before the rename and the directory after it. Default: true. */
  fsync?: boolean;
  /** Give the block a `Writable` stream instead of a `FileHandle`. Default: false. */
  stream?: boolean;
  /**
   * Remove temp files that killed writers left in the target's directory (once per directory and
   * process; only writers of this host, PID namespace and boot whose pid no longer runs). Default: true.
   */
  cleanStale?: boolean;
  /**
   * Replace a FIFO, socket or device at the path by a regular file. Default: false, and such a
   * target is refused with an error (a directory always is: the rename cannot replace it).
   */
  replaceNonRegular?: boolean;
}

/**
 * Replaces a file atomically: the block writes to a temp file in the same directory; on success
 * the exit flushes it, fsyncs it, renames it over the target and fsyncs the directory, so readers
 * and crashes see the old file or the new one, never a mix. When the block throws, the temp file
 * is closed and deleted and the target is left byte for byte as it was. A symlink of this user or
 * root is written through (it stays a link; its target gets the new content); another user's link,
 * another user's file in a sticky directory, and a non-regular target are refused with an error. The temp file has the target's mode
 * (and, for root, its owner) from its first byte, so no other user can read the new content early.
 * `atomicWrite`s to one path in one process run one at a time. Temp files left by a killed writer
 * are removed by the first `atomicWrite` into that directory of a later process.
 *
 * @example
 * await asyncWith(atomicWrite("config.json"), (file) => file.writeFile(JSON.stringify(config)));
 * await asyncWith(atomicWrite("big.csv", { stream: true }), (out) => pipeline(rows, out, { end: false }));
 */
export function atomicWrite(
  path: PathLike,
  options?: AtomicWriteOptions & { stream?: false },
): AsyncContextManager<FileHandle, false>;
export function atomicWrite(
  path: PathLike,
  options: AtomicWriteOptions & { stream: true },
): AsyncContextManager<Writable, false>;
export function atomicWrite(
  path: PathLike,
  options: AtomicWriteOptions = {},
): AsyncContextManager<FileHandle | Writable, false> {
  checkOptions("atomicWrite()", options, {
    fsync: "boolean",
    stream: "boolean",
    cleanStale: "boolean",
    replaceNonRegular: "boolean",
  });
  const requested = resolve(_path("atomicWrite()", path));
  const { fsync = true, stream: asStream = false, cleanStale = true, replaceNonRegular = false } = options;
  if (options.mode !== undefined && !(Number.isInteger(options.mode) && options.mode >= 0 && options.mode <= 0o7777)) {
    throw expected("atomicWrite() options.mode to be a file mode such as 0o644", options.mode);
  }
  return contextManager(
    async function* () {
      // A symlink stays a link, and its target gets the new content: when this user or root owns it.
      const { target, existing } = await _writeTarget(requested, replaceNonRegular);
      const release = await _serialise(target);
      try {
        if (cleanStale) await _sweepTemps(dirname(target));
        const temp = _tempName(target);
        // Created with the final mode (umask can only narrow it), so no other user can open it
        // between its creation and a chmod: what they could open, they could read later.
        const handle = await open(temp, "wx", existing ? existing.mode & 0o7777 : (options.mode ?? 0o666)).catch(
          (error: NodeJS.ErrnoException) => {
            throw _noTemp(temp, target, error);
          },
        );
        const stream = asStream ? _writableOn(handle) : undefined;
        const discard = async () => {
          stream?.destroy();
          await handle.close(); // waits for a write still in flight
          await unlink(temp).catch(_ignoreMissing);
        };
        try {
          if (existing) await _sameOwnerAndMode(handle, existing);
        } catch (error) {
          return await _cleanupAfter(_naming(temp, target)(error), discard);
        }
        try {
          yield stream ?? handle;
        } catch (error) {
          return await _cleanupAfter(error, discard);
        }
        try {
          if (stream) {
            if (!stream.writableEnded) stream.end();
            await finished(stream);
          }
          if (fsync) await handle.sync();
          await handle.close();
          await _rename(temp, target);
        } catch (error) {
          return await _cleanupAfter(_naming(temp, target)(error), discard);
        }
        // Committed: from here on no error may suggest that the old content survived.
        if (fsync) await _syncDirectory(dirname(target)).catch(_committed(target));
      } finally {
        release();
      }
    },
    { name: "atomicWrite" },
  )();
}

/** The target's owner (when we are allowed to give it: root) and its exact mode, which umask narrowed. */
async function _sameOwnerAndMode(handle: FileHandle, existing: Stats): Promise<void> {
  if (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.()) {
    await handle.chown(existing.uid, existing.gid).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EPERM") throw error;
    });
  }
  await handle.chmod(existing.mode & 0o7777); // after chown, which clears set-id bits
}

/** The directory, not the file, is what refused: say so (a writable file in a read-only directory). */
function _noTemp(temp: string, target: string, error: NodeJS.ErrnoException): Error {
  if (!["EACCES", "EPERM", "EROFS"].includes(error.code!)) return _naming(temp, target)(error) as Error;
  const message = `Could not create a new file in ${dirname(target)} to replace ${target} (${error.code}): atomicWrite() renames a new file over the old one, so the directory must be writable, not only the file.`;
  return Object.assign(new Error(message, { cause: error }), { code: error.code });
}

/** Our own errors name the target the user asked for, not our temp file. */
const _naming =
  (temp: string, target: string) =>
  (error: unknown): unknown => {
    if (error instanceof Error) {
      error.message = error.message.replaceAll(temp, target);
      if ((error as NodeJS.ErrnoException).path === temp) (error as NodeJS.ErrnoException).path = target;
    }
    return error;
  };

/** After the rename: an unsupported directory fsync is moot; any other failure says the new content is in place. */
export const _committed =
  (target: string) =>
  (error: NodeJS.ErrnoException): void => {
    if (error.code === "EINVAL" || error.code === "ENOTSUP" || error.code === "EOPNOTSUPP") return;
    const message = `The new content of ${target} is in place, but making the replacement durable (fsync of its directory) failed: ${error.message}`;
    throw Object.assign(new Error(message, { cause: error }), { code: error.code });
  };

/**
 * A Writable over the handle. Not `handle.createWriteStream()`: that stream closes the handle when
 * it ends or is destroyed, and the commit must still fsync and close it. Writes go through the
 * handle, so `handle.close()` waits for one still in flight.
 */
function _writableOn(handle: FileHandle): Writable {
  const stream = new Writable({
    async write(chunk: Buffer, _encoding, done) {
      try {
        for (let at = 0; at < chunk.length;) at += (await handle.write(chunk, at)).bytesWritten;
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  return stream.on("error", () => {}); // surfaces through finished() on success; moot on failure
}

const _queues = new Map<string, { lock: Lock; users: number }>();

/** One `atomicWrite` per target at a time in this process; resolves to the release function. */
async function _serialise(target: string): Promise<() => void> {
  let queue = _queues.get(target);
  if (!queue) _queues.set(target, (queue = { lock: new Lock(), users: 0 }));
  queue.users++;
  try {
    await queue.lock.acquire();
  } catch (error) {
    if (--queue.users === 0) _queues.delete(target);
    throw error;
  }
  return () => {
    queue.lock.release();
    if (--queue.users === 0) _queues.delete(target);
  };
}

/** Windows refuses a rename while another process (an indexer, an antivirus) has the target open: retry briefly. */
async function _rename(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rename(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (process.platform !== "win32" || attempt >= 10 || !["EPERM", "EACCES", "EBUSY"].includes(code!)) throw error;
      await new Promise((done) => setTimeout(done, 10 * 2 ** Math.min(attempt, 6)));
    }
  }
}

/** Makes the rename itself durable. Windows cannot open a directory for fsync; NTFS journals renames. */
async function _syncDirectory(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
