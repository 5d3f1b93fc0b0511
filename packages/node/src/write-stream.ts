import { createWriteStream, type WriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { finished } from "node:stream/promises";
import type { AsyncContextManager } from "@asyncwith/core";
import { _cleanupAfter, _ignoreMissing, _path, _resource, type PathLike } from "./_shared.js";
import { _closed, _opened } from "./_streams.js";

export interface WriteStreamOptions {
  /** File system flags. Default: `"w"` (create or truncate). */
  flags?: string;
  encoding?: BufferEncoding;
  mode?: number;
  /** Byte offset to start writing at (with flags like `"r+"`). */
  start?: number;
  highWaterMark?: number;
  /** When the block throws, delete the file it was writing (it holds partial data). Default: false. */
  removeOnError?: boolean;
}

/**
 * A `fs.WriteStream` for the block that never loses data. On success the exit ends the stream and
 * waits until every buffered byte is written and the file is closed (Node's own
 * `Symbol.asyncDispose` on streams destroys them and drops what is buffered). A stream error
 * during the block is thrown there. When the block throws, the exit destroys the stream with that
 * error, waits for the file to close and, with `removeOnError`, deletes the partial file.
 *
 * @example
 * await asyncWith(writeStream("out.csv"), async (out) => {
 *   for (const row of rows) if (!out.write(`${row.join(",")}\n`)) await once(out, "drain");
 * }); // every row is on disk (and the file closed) once this resolves
 */
export function writeStream(path: PathLike, options: WriteStreamOptions = {}): AsyncContextManager<WriteStream, false> {
  const file = _path("writeStream()", path);
  const { removeOnError = false, ...streamOptions } = options;
  return _resource("writeStream", async function* () {
    const stream = await _opened(createWriteStream(file, { ...streamOptions, autoClose: true, emitClose: true }));
    try {
      yield stream;
    } catch (error) {
      return await _cleanupAfter(error, async () => {
        stream.destroy(error instanceof Error ? error : undefined);
        await _closed(stream);
        if (removeOnError) await unlink(file).catch(_ignoreMissing);
      });
    }
    if (!stream.writableEnded) stream.end();
    await finished(stream); // rejects with the stream's error, if it had one
    await _closed(stream);
  });
}
