import { randomBytes } from "node:crypto";
import { type FileHandle, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { type AsyncContextManager, Lock } from "@asyncwith/core";
import { _cleanupAfter, _expected, _ignoreMissing, _isRunning, _path, _resource, type PathLike } from "./_shared.js";

export interface AtomicWriteOptions {
  /** Mode of a new file. An existing target keeps its own mode. Default: `0o666` (minus umask). */
  mode?: number;
  /** fsync the file before the rename and the directory after it. Default: true. */
  fsync?: boolean;
  /** Give the block a `Writable` stream instead of a `FileHandle`. Default: false. */
  stream?: boolean;
  /** Remove temp files that crashed processes left for this target. Default: true. */
  cleanStale?: boolean;
}

/**
 * Replaces a file atomically: the block writes to a temp file in the same directory; on success
 * the exit flushes it, fsyncs it, renames it over the target and fsyncs the directory, so readers
 * and crashes see the old file or the new one, never a mix. When the block throws, the temp file
 * is closed and deleted and the target is left byte for byte as it was. `atomicWrite`s to one
 * path in one process run one at a time. Temp files left by a killed process are removed by the
 * next `atomicWrite` to the same target.
 *
 * @example
 * await asyncWith(atomicWrite("config.json"), (file) => file.writeFile(JSON.stringify(config)));
 * await asyncWith(atomicWrite("big.csv", { stream: true }), (out) => pipeline(rows, out, { end: false }));
 */
export function atomicWrite(path: PathLike, options?: AtomicWriteOptions & { stream?: false }): AsyncContextManager<FileHandle, false>;
export function atomicWrite(path: PathLike, options: AtomicWriteOptions & { stream: true }): AsyncContextManager<Writable, false>;
export function atomicWrite(path: PathLike, options: AtomicWriteOptions = {}): AsyncContextManager<FileHandle | Writable, false> {
  const target = resolve(_path("atomicWrite()", path));
  const { fsync = true, stream: asStream = false, cleanStale = true } = options;
  if (options.mode !== undefined && !(Number.isInteger(options.mode) && options.mode >= 0 && options.mode <= 0o7777)) {
    throw _expected("atomicWrite() options.mode to be a file mode such as 0o644", options.mode);
  }
  return _resource("atomicWrite", async function* () {
    const release = await _serialise(target);
    try {
      if (cleanStale) await _removeStaleTemps(target);
      const existingMode = await stat(target).then((s) => s.mode & 0o7777, (e) => _ignoreMissing(e));
      const temp = join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(6).toString("hex")}.tmp`);
      const handle = await open(temp, "wx", options.mode ?? 0o666);
      const stream = asStream ? _writableOn(handle) : undefined;
      try {
        if (existingMode !== undefined) await handle.chmod(existingMode);
        yield stream ?? handle;
        if (stream) {
          if (!stream.writableEnded) stream.end();
          await finished(stream);
        }
        if (fsync) await handle.sync();
        await handle.close();
        await _rename(temp, target);
        if (fsync) await _syncDirectory(dirname(target));
      } catch (error) {
        return await _cleanupAfter(error, async () => {
          stream?.destroy();
          await handle.close(); // waits for a write still in flight
          await unlink(temp).catch(_ignoreMissing);
        });
      }
    } finally {
      release();
    }
  });
}

/**
 * A Writable over the handle. Not `handle.createWriteStream()`: that stream closes the handle when
 * it ends or is destroyed, and the commit must still fsync and close it. Writes go through the
 * handle, so `handle.close()` waits for one still in flight.
 */
function _writableOn(handle: FileHandle): Writable {
  const stream = new Writable({
    async write(chunk: Buffer, _encoding, done) {
      try {
        for (let at = 0; at < chunk.length; ) at += (await handle.write(chunk, at)).bytesWritten;
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

const _tempPattern = /^\.(.+)\.(\d+)-[0-9a-f]{12}\.tmp$/;

/** Deletes this target's temp files whose writing process no longer runs (killed mid-write). */
async function _removeStaleTemps(target: string): Promise<void> {
  const dir = dirname(target);
  const name = basename(target);
  for (const entry of await readdir(dir)) {
    const match = _tempPattern.exec(entry);
    if (match?.[1] !== name) continue;
    const pid = Number(match[2]);
    if (pid !== process.pid && !_isRunning(pid)) await unlink(join(dir, entry)).catch(_ignoreMissing);
  }
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
