import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type AsyncContextManager, contextManager } from "@asyncwith/core";
import { checkOptions, expected } from "@asyncwith/core/adapter";
import { _path, type PathLike } from "./_shared.js";
import { _heldUntilExit } from "./temp-dir.js";

/** Options of `tempFile`: where the file is made, its name's prefix and suffix, and whether a failed block keeps it. */
export interface TempFileOptions {
  /** Start of the file name. Default: `"asyncwith-"`. */
  prefix?: string;
  /** End of the file name, e.g. `".json"`. Default: none. */
  suffix?: string;
  /** Where to create it. Default: `os.tmpdir()`. */
  dir?: PathLike;
  /** Leave the file in place when the block throws. Default: false. */
  keepOnError?: boolean;
}

/**
 * Creates a new empty file with a unique name (exclusively: never an existing one) for the block
 * and removes it on exit, tolerating a block that already removed it or put a directory there.
 *
 * @example
 * await asyncWith(tempFile({ suffix: ".json" }), async (path) => {
 *   await writeFile(path, JSON.stringify(config));
 *   await run("tool", ["--config", path]);
 * });
 */
export function tempFile(options: TempFileOptions = {}): AsyncContextManager<string, false> {
  checkOptions("tempFile()", options, { keepOnError: "boolean" });
  const { prefix = "asyncwith-", suffix = "" } = options;
  for (const [name, part] of [
    ["prefix", prefix],
    ["suffix", suffix],
  ] as const) {
    if (typeof part !== "string" || /[/\\]/.test(part))
      throw expected(`tempFile() options.${name} to be a string without slashes`, part);
  }
  const dir = resolve(options.dir === undefined ? tmpdir() : _path("tempFile() options.dir", options.dir));
  return contextManager(
    async function* () {
      const path = join(dir, `${prefix}${randomBytes(6).toString("hex")}${suffix}`);
      await writeFile(path, "", { flag: "wx", mode: 0o600 });
      yield* _heldUntilExit(path, options.keepOnError);
    },
    { name: "tempFile" },
  )();
}
