import { createReadStream, type ReadStream } from "node:fs";
import { type AsyncContextManager, contextManager, exitOptions } from "@asyncwith/core";
import { checkOptions } from "@asyncwith/core/adapter";
import { _path, type PathLike } from "./_shared.js";
import { _closedBy, _opened } from "./_streams.js";

/** Options of `readStream`: a subset of `fs.createReadStream`'s. */
export interface ReadStreamOptions {
  flags?: string;
  encoding?: BufferEncoding;
  /** First byte to read (inclusive). */
  start?: number;
  /** Last byte to read (inclusive). */
  end?: number;
  highWaterMark?: number;
}

/**
 * A `fs.ReadStream` for the block, opened before the block starts (so a missing file fails the
 * enter) and closed on every path, whether or not the block read it to the end. A read error the
 * block did not see (a legacy `.pipe()` does not forward errors) is thrown by the exit rather than
 * leaving a silently truncated result.
 *
 * @example
 * const lines = await asyncWith(readStream("access.log", { encoding: "utf8" }), async (input) => {
 *   let count = 0;
 *   for await (const line of createInterface({ input })) if (line.includes(" 500 ")) count++;
 *   return count;
 * });
 */
export function readStream(path: PathLike, options: ReadStreamOptions = {}): AsyncContextManager<ReadStream, false> {
  const file = _path("readStream()", path);
  checkOptions("readStream()", options);
  return contextManager(
    async function* () {
      const stream = await _opened(createReadStream(file, { ...options, autoClose: true, emitClose: true }));
      try {
        yield stream;
      } catch (error) {
        const { signal } = exitOptions();
        stream.destroy();
        await _closedBy(stream, signal);
        throw error;
      }
      const { signal } = exitOptions(); // an exit deadline stops the wait for a read stuck in the thread pool
      const unseen = stream.errored;
      stream.destroy();
      await _closedBy(stream, signal);
      if (unseen) throw unseen;
    },
    { name: "readStream" },
  )();
}
