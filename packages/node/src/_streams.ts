// Helpers for the file-stream managers. Not exported from the package.
import { once } from "node:events";
import type { ReadStream, WriteStream } from "node:fs";
import { untilAborted } from "@asyncwith/core/adapter";

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

/**
 * `_closed`, or — once `signal` aborts (an exit deadline) — resolved without it: a read or write
 * stuck in the thread pool (a FIFO, a stalled network file system) holds the close until it
 * returns, and the exit must not wait for that. The descriptor still closes when it does.
 */
export function _closedBy(stream: ReadStream | WriteStream, signal: AbortSignal | undefined): Promise<void> {
  return untilAborted(_closed(stream), signal).catch((error: unknown) => {
    if (!signal?.aborted || error !== signal.reason) throw error;
  });
}
