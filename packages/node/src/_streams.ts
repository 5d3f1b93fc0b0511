// Helpers for the file-stream managers. Not exported from the package.
import { once } from "node:events";
import type { ReadStream, WriteStream } from "node:fs";

/**
 * Waits until the stream's file is open, so that an open error (ENOENT, EACCES…) fails the enter
 * rather than surfacing later. From here on the stream always has an error listener: an error
 * stays readable as `stream.errored` and never crashes the process as an unhandled 'error' event.
 */
export async function _opened<S extends ReadStream | WriteStream>(stream: S): Promise<S> {
  (stream as NodeJS.EventEmitter).on("error", () => {});
  if (!stream.pending) return stream;
  await once(stream, "ready");
  return stream;
}

/** Resolves once the stream has closed its file descriptor (after 'error', if any). */
export function _closed(stream: ReadStream | WriteStream): Promise<void> {
  return new Promise((resolve) =>
    stream.closed ? resolve() : (stream as NodeJS.EventEmitter).once("close", () => resolve()),
  );
}
