// Which file atomicWrite replaces, and whether it may: links are followed one hop at a time, and
// only where no other user chose where they lead. Not exported from the package.
import type { Stats } from "node:fs";
import { lstat, readlink, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { expected } from "@asyncwith/core/adapter";
import { _ignoreMissing, _realPath } from "./_shared.js";

const _sticky = 0o1000;

/**
 * The file to replace, and its stat when it exists. A final symlink is written through only when
 * this user or root owns it: another user's link (dangling or not) could point anywhere this process
 * may write. An existing file another user owns in a sticky directory (`/tmp`) may have been planted
 * there for us to fill, so it is refused too; so is anything but a regular file, unless asked.
 */
export async function _writeTarget(
  requested: string,
  replaceNonRegular: boolean,
): Promise<{ target: string; existing?: Stats }> {
  const uid = process.geteuid?.();
  let path = requested;
  for (let hops = 0; ; hops++) {
    path = join(_realPath(dirname(path)), basename(path)); // the directories above, as the system resolves them
    const info = await lstat(path).catch(_ignoreMissing);
    if (!info) return { target: path };
    if (!info.isSymbolicLink()) {
      if (!info.isFile() && !replaceNonRegular) throw _notRegular(requested, path, info);
      if (uid !== undefined && !_trusted(info.uid, uid) && (await stat(dirname(path))).mode & _sticky)
        throw _refused(
          `atomicWrite() to replace a file of this user or root in a shared sticky directory such as /tmp, got ${path} owned by uid ${info.uid}: another user may have planted it for this process to fill. Remove it, or write elsewhere.`,
        );
      return { target: path, existing: info };
    }
    if (uid !== undefined && !_trusted(info.uid, uid))
      throw _refused(
        `atomicWrite() to write through a symbolic link of this user or root, got ${path} owned by uid ${info.uid}: another user's link leads wherever they choose. Pass the path it should reach instead.`,
      );
    if (hops >= 40)
      throw Object.assign(new Error(`Too many levels of symbolic links at ${requested}`), { code: "ELOOP" });
    path = resolve(dirname(path), await readlink(path));
  }
}

const _trusted = (owner: number, uid: number) => owner === uid || owner === 0;

const _refused = (message: string): Error => Object.assign(new Error(`Expected ${message}`), { code: "EFOREIGN" });

function _notRegular(requested: string, path: string, info: Stats): TypeError {
  const kind = info.isDirectory()
    ? "a directory"
    : info.isFIFO()
      ? "a FIFO"
      : info.isSocket()
        ? "a socket"
        : info.isCharacterDevice() || info.isBlockDevice()
          ? "a device"
          : "not a regular file";
  const at = path === requested ? "" : ` (${requested} leads to ${path})`;
  return expected(
    `atomicWrite() to replace a regular file${at}`,
    kind,
    `${kind}: the rename would put a regular file in its place. Pass { replaceNonRegular: true } if that is what you mean`,
  );
}
