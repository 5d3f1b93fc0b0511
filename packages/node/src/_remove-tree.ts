// tempDir's removal where Linux allows it: a walk anchored on open directory descriptors. Node has
// no unlinkat(), but `/proc/self/fd/N/name` names `name` inside the directory N is open on, whatever
// was renamed or swapped for a link since; every directory is opened with O_NOFOLLOW. So a
// subdirectory replaced by a symlink mid-removal is removed as a link, and nothing outside the tree
// is ever reached (fs.rm follows such a swap: files outside the temp directory were deleted).
// Not exported from the package.
import { constants, existsSync } from "node:fs";
import { chmod, type FileHandle, open, readdir, rmdir, unlink } from "node:fs/promises";

/** Whether this system names a descriptor's directory as a path (Linux): else fs.rm is used. */
export const _anchored = existsSync("/proc/self/fd");

const _dirFlags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
// Without root's override, a read-only directory blocks removing what it holds: it is given the
// fixed mode 0700 (never one copied from elsewhere). Root needs no repair, so never chmods: a chmod
// that a swap redirected could otherwise reach another user's files.
export const _mayRepair = process.geteuid?.() !== 0;

/** Removes `path` and everything below it, never leaving the tree; a missing path is fine. */
export async function _removeTree(path: string): Promise<void> {
  const top = await _openDir(path);
  if (top === "gone") return;
  if (top === "not a directory") return _unlinkEntry(path);
  try {
    await _empty(top);
  } finally {
    await top.close();
  }
  await _rmdirEntry(path);
}

async function _empty(dir: FileHandle): Promise<void> {
  const here = `/proc/self/fd/${dir.fd}`;
  for (const name of await readdir(here)) {
    const entry = `${here}/${name}`;
    if (await _unlinked(entry, dir)) continue;
    const child = await _openDir(entry);
    if (child === "gone") continue;
    if (child === "not a directory") {
      await _unlinkEntry(entry); // swapped for a file or a link since: removed as what it is now
      continue;
    }
    try {
      await _empty(child);
    } finally {
      await child.close();
    }
    await _rmdirEntry(entry, dir);
  }
}

/** True once `entry` (not a directory) is removed or gone; false for a directory. */
async function _unlinked(entry: string, parent: FileHandle): Promise<boolean> {
  try {
    await _repairing(parent, () => unlink(entry));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return true;
    if (code === "EISDIR") return false;
    throw error;
  }
}

async function _openDir(path: string): Promise<FileHandle | "gone" | "not a directory"> {
  for (let repaired = false; ; repaired = true) {
    try {
      return await open(path, _dirFlags);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return "gone";
      if (code === "ENOTDIR" || code === "ELOOP") return "not a directory";
      if (code !== "EACCES" || !_mayRepair || repaired) throw error;
      await chmod(path, 0o700); // our own unreadable directory (a swapped link to another's: EPERM)
    }
  }
}

async function _unlinkEntry(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}

async function _rmdirEntry(path: string, parent?: FileHandle): Promise<void> {
  try {
    await (parent ? _repairing(parent, () => rmdir(path)) : rmdir(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") return _unlinkEntry(path); // swapped for a link after it was emptied
    if (code !== "ENOENT") throw error;
  }
}

/** Runs `step`; on EACCES/EPERM from a read-only `parent`, makes it 0700 (by descriptor) once and retries. */
async function _repairing(parent: FileHandle, step: () => Promise<void>): Promise<void> {
  try {
    return await step();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code !== "EACCES" && code !== "EPERM") || !_mayRepair) throw error;
    await parent.chmod(0o700).catch(() => {
      throw error; // not ours to repair: the original refusal says more
    });
    return step();
  }
}
