import { chmod, lstat, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { type AsyncContextManager, contextManager } from "@asyncwith/core";
import { checkOptions, expected } from "@asyncwith/core/adapter";
import { _anchored, _mayRepair, _removeTree } from "./_remove-tree.js";
import { _cleanupAfter, _path, type PathLike } from "./_shared.js";

/** Options of `tempDir`: where the directory is made, and whether a failed block keeps it. */
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
  if (typeof prefix !== "string" || /[/\\]/.test(prefix) || ["", ".", ".."].includes(prefix)) {
    throw expected(
      'tempDir(prefix) to be a file-name prefix without slashes, and not "", "." or ".." (use options.dir for the location)',
      prefix,
    );
  }
  checkOptions("tempDir()", options, { keepOnError: "boolean" });
  const dir = resolve(options.dir === undefined ? tmpdir() : _path("tempDir() options.dir", options.dir));
  return contextManager(
    async function* () {
      const path = await mkdtemp(`${dir}${sep}${prefix}`); // not join(): it would normalise the prefix away
      yield* _heldUntilExit(path, options.keepOnError);
    },
    { name: "tempDir" },
  )();
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

/**
 * Removes the tree: on Linux by a walk anchored on directory descriptors that can never leave it
 * (see _remove-tree.ts), elsewhere by `rm -rf` (retried by Node on EBUSY/ENOTEMPTY: files still
 * being closed, mostly on Windows). A read-only directory blocks the removal of what it contains:
 * without root's override, directories get mode 0700 and the removal is tried again, as Python's
 * TemporaryDirectory does. What still cannot be removed is listed in the error.
 */
export async function _remove(path: string): Promise<void> {
  try {
    return await (_anchored ? _removeTree(path) : _removeByPath(path));
  } catch (error) {
    const left = await _list(path);
    throw Object.assign(
      new Error(
        `Could not remove ${path}: ${left.length} entr${left.length === 1 ? "y remains" : "ies remain"}: ${left.slice(0, 20).join(", ")}${left.length > 20 ? ", …" : ""}`,
        { cause: error },
      ),
      { code: (error as NodeJS.ErrnoException).code },
    );
  }
}

async function _removeByPath(path: string): Promise<void> {
  const remove = () => rm(path, { recursive: true, force: true, maxRetries: 3 });
  try {
    return await remove();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code !== "EACCES" && code !== "EPERM") || !_mayRepair) throw error;
  }
  await _writable(path);
  await remove();
}

/** u+rwx (a fixed 0700) on every directory of the tree, never following symlinks; best effort. */
async function _writable(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isDirectory()) return;
  await chmod(path, 0o700).catch(() => {});
  for (const name of await readdir(path).catch(() => [])) await _writable(join(path, name));
}

/** Every path left in the tree, deepest last. */
async function _list(path: string): Promise<string[]> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return [];
  const below = info.isDirectory() ? await readdir(path).catch(() => []) : [];
  return [path, ...(await Promise.all(below.map((name) => _list(join(path, name))))).flat()];
}
