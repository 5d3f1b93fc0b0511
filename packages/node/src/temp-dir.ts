import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AsyncContextManager } from "@asyncwith/core";
import { _cleanupAfter, _expected, _path, _resource, type PathLike } from "./_shared.js";

export interface TempDirOptions {
  /** Where to create it. Default: `os.tmpdir()`. */
  dir?: PathLike;
  /** Leave the directory in place when the block throws, to inspect what it left. Default: false. */
  keepOnError?: boolean;
}

/**
 * Creates a fresh directory (`mkdtemp`) for the block and removes it, recursively, on exit. The
 * removal tolerates a block that already removed or changed things inside.
 *
 * @example
 * await asyncWith(tempDir("build-"), async (dir) => {
 *   await writeFile(join(dir, "input.txt"), data);
 *   await run("tool", [dir]);
 * });
 */
export function tempDir(prefix = "asyncwith-", options: TempDirOptions = {}): AsyncContextManager<string, false> {
  if (typeof prefix !== "string" || /[/\\]/.test(prefix)) throw _expected("tempDir(prefix) to be a file-name prefix without slashes (use options.dir for the location)", prefix);
  const dir = options.dir === undefined ? tmpdir() : (_path("tempDir() options.dir", options.dir));
  return _resource("tempDir", async function* () {
    const path = await mkdtemp(join(dir, prefix));
    yield* _heldUntilExit(path, options.keepOnError);
  });
}

/** Gives `path` to the block, then removes it on every path (kept on failure with `keepOnError`). */
export async function* _heldUntilExit(path: string, keepOnError = false): AsyncGenerator<string, void, undefined> {
  try {
    yield path;
  } catch (error) {
    if (keepOnError) throw error;
    return await _cleanupAfter(error, () => _remove(path));
  }
  await _remove(path);
}

/** `rm -rf`, retried by Node on EBUSY/ENOTEMPTY (files still being closed, mostly on Windows). */
export const _remove = (path: string): Promise<void> => rm(path, { recursive: true, force: true, maxRetries: 3 });
