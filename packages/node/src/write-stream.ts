import { createWriteStream, type WriteStream } from "node:fs";
import { type FileHandle, open, unlink } from "node:fs/promises";
import { finished } from "node:stream/promises";
import { type AsyncContextManager, contextManager, exitOptions } from "@asyncwith/core";
import { checkOptions, expected, untilAborted } from "@asyncwith/core/adapter";
import { _cleanupAfter, _ignoreMissing, _path, type PathLike } from "./_shared.js";
import { _closed, _closedBy, _opened } from "./_streams.js";

/** Options of `writeStream`: a subset of `fs.createWriteStream`'s, plus whether a failed block removes the file. */
export interface WriteStreamOptions {
  /** File system flags. Default: `"w"` (create or truncate). */
  flags?: string;
  encoding?: BufferEncoding;
  mode?: number;
  /** Byte offset to start writing at (with flags like `"r+"`). */
  start?: number;
  highWaterMark?: number;
  /**
   * When the block throws, delete the file if this stream created it (it holds partial data). A
   * file that existed before is never deleted. Refused with flags that keep existing content
   * (`"a"`, `"r+"`, …): an append log must not vanish because a block threw. Default: false.
   */
  removeOnError?: boolean;
}

/**
 * A `fs.WriteStream` for the block that never loses data. On success the exit ends the stream and
 * waits until every buffered byte is written and the file is closed (Node's own
 * `Symbol.asyncDispose` on streams destroys them and drops what is buffered). A stream error
 * during the block is thrown there. When the block throws, the exit destroys the stream with that
 * error, waits for the file to close and, with `removeOnError`, deletes the partial file. Under an
 * exit deadline (`exitWithin`), a destination that stops taking data (a pipe nobody reads, a
 * stalled network file system) no longer holds the exit: at the deadline the stream is destroyed,
 * the exit fails saying what was not written, and `removeOnError` deletes the partial file.
 *
 * @example
 * await asyncWith(writeStream("out.csv"), async (out) => {
 *   for (const row of rows) if (!out.write(`${row.join(",")}\n`)) await once(out, "drain");
 * }); // every row is on disk (and the file closed) once this resolves
 */
export function writeStream(path: PathLike, options: WriteStreamOptions = {}): AsyncContextManager<WriteStream, false> {
  const file = _path("writeStream()", path);
  checkOptions("writeStream()", options, { removeOnError: "boolean" });
  const { removeOnError = false, ...streamOptions } = options;
  const flags = streamOptions.flags ?? "w";
  if (removeOnError && !/^w/.test(flags)) {
    throw expected(
      'writeStream() options.flags to be "w" or "wx" with removeOnError (other flags keep existing content, which must never be deleted)',
      flags,
    );
  }
  return contextManager(
    async function* () {
      // To know whether the file is ours to remove, create it exclusively first.
      const created = removeOnError && (await _createdHere(file, streamOptions.mode, flags));
      const opened = created ? { ...streamOptions, fd: created } : streamOptions;
      const stream = await _opened(createWriteStream(file, { ...opened, autoClose: true, emitClose: true }));
      try {
        yield stream;
      } catch (error) {
        const { signal } = exitOptions();
        return await _cleanupAfter(error, async () => {
          stream.destroy(error instanceof Error ? error : undefined);
          await _closedBy(stream, signal);
          if (created) await unlink(file).catch(_ignoreMissing);
        });
      }
      const { signal } = exitOptions();
      if (!stream.writableEnded) stream.end();
      try {
        await untilAborted(finished(stream), signal); // rejects with the stream's error, if it had one
      } catch (error) {
        if (!signal?.aborted || error !== signal.reason) throw error;
        stream.destroy();
        if (created) await unlink(file).catch(_ignoreMissing);
        throw new Error(
          `writeStream()'s exit was cut short at its deadline: what was still buffered for ${file} was not written${created ? ", and the partial file was removed" : ""}`,
          { cause: error },
        );
      }
      await _closed(stream);
    },
    { name: "writeStream" },
  )();
}

/** The new file's handle when this call created it; undefined when it existed (and "w" will truncate it). */
async function _createdHere(file: string, mode: number | undefined, flags: string): Promise<FileHandle | undefined> {
  try {
    return await open(file, flags.replace(/^w/, "wx").replace(/x+/, "x"), mode ?? 0o666);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST" && !flags.includes("x")) return undefined;
    throw error;
  }
}
