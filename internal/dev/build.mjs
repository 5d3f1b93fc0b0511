#!/usr/bin/env node
// `asyncwith-build`, every published package's `build` script: clean dist/ once, run tsup, then
// check that every file the package.json names is there.
//
// Why not tsup's own `clean`: the build is two tsup configs writing into one dist/ (ESM per module,
// CJS bundled). With `clean: true` on one of them, its declaration worker deletes every
// `*.d.{ts,mts,cts}` when it starts, so on a loaded machine the other config's `.d.cts` can vanish
// after it was written (tsup issues #1270, #670); turbo then caches and replays the broken dist/.
// Cleaning once, before both, removes the race; the check makes sure no broken dist/ is ever
// cached or packed, whatever the cause.
//
//   asyncwith-build            clean, build, check (in the package's directory)
//   asyncwith-build --check    only check the existing dist/
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { missingFiles } from "./dist-files.mjs";

const dir = process.cwd();
if (!process.argv.includes("--check")) {
  rmSync(`${dir}/dist`, { recursive: true, force: true });
  const tsup = spawnSync("tsup", [], { stdio: "inherit", cwd: dir });
  if (tsup.status !== 0) process.exit(tsup.status ?? 1);
}
const missing = missingFiles(dir);
if (missing.length) {
  console.error(
    [
      `Expected every file package.json names to exist after the build, got ${missing.length} missing:`,
      ...missing.map(({ file, field }) => `  ${file}  (named by ${field})`),
      "A publish of this dist/ would be broken. Build again; if a file keeps vanishing, look for two writers into dist/.",
    ].join("\n"),
  );
  process.exit(1);
}
