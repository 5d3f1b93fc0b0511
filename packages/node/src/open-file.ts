import type { Mode, OpenMode } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { type AsyncContextManager, resource } from "@asyncwith/core";
import { _path, _releasing, type PathLike } from "./_shared.js";

/**
 * Opens a file for the block and closes it on every path. The block gets Node's `FileHandle`.
 * When the block threw and closing fails too, the close error never hides the block's: both
 * travel as `new SuppressedError(closeError, blockError)`.
 *
 * @example
 * const text = await asyncWith(openFile("notes.txt"), (file) => file.readFile("utf8"));
 * await asyncWith(openFile("log.txt", "a"), (file) => file.appendFile("started\n"));
 */
export function openFile(path: PathLike, flags: OpenMode = "r", mode?: Mode): AsyncContextManager<FileHandle, false> {
  const file = _path("openFile()", path);
  return resource(
    () => open(file, flags, mode),
    _releasing((handle) => handle.close()),
    "openFile",
  );
}
