// Temp file names for atomicWrite, and the sweep of those that killed writers left. Not exported.
import { createHash, randomBytes } from "node:crypto";
import { readdir, unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import { _identity, _ignoreMissing, _isRunning } from "./_shared.js";

const _nameMax = 255; // bytes: ext4, xfs, btrfs, tmpfs, APFS and NTFS (in UTF-16 units) all allow this
const _pattern = /^\..*\.aw([0-9a-f]{8})([0-9a-f]{8})-(\d+)-[0-9a-f]{12}\.tmp$/;
const _tag = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 8);

/** This writer's tags: its host, and its PID namespace with its boot (where a pid means something). */
function _tags(): [host: string, space: string] {
  const self = _identity();
  return [_tag(self.host), _tag(`${self.pidns}|${self.boot}`)];
}

/**
 * A hidden temp name next to `target`, never longer than NAME_MAX: the target's name is shortened
 * (whole characters) to make room. It says who writes it, so a sweep can tell whether the writer
 * still runs.
 */
export function _tempName(target: string): string {
  const [host, space] = _tags();
  const suffix = `.aw${host}${space}-${process.pid}-${randomBytes(6).toString("hex")}.tmp`;
  let name = basename(target);
  while (Buffer.byteLength(`.${name}${suffix}`) > _nameMax) name = [...name].slice(0, -1).join("");
  return join(target, "..", `.${name}${suffix}`);
}

const _swept = new Set<string>();

/**
 * Once per directory and process, removes temp files whose writer is gone: written on this host,
 * in this PID namespace and boot, by a pid that no longer runs. Temps of writers elsewhere (another
 * container, another host sharing the volume) are never touched. Once, not per write: listing a
 * directory of 100,000 files costs more than the write itself. Best effort: a directory this
 * process may not list is left alone.
 */
export async function _sweepTemps(dir: string): Promise<void> {
  if (_swept.has(dir)) return;
  _swept.add(dir);
  const [host, space] = _tags();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = _pattern.exec(name);
    if (!match || match[1] !== host || match[2] !== space) continue;
    const pid = Number(match[3]);
    if (pid !== process.pid && !_isRunning(pid)) await unlink(join(dir, name)).catch(_ignoreMissing);
  }
}
