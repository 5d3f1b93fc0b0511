// Runs bench/run.mjs on this Node and on Node 24 (native `await using`), passing the arguments
// (e.g. --quick) to both; fails if either fails.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const run = fileURLToPath(new URL("./run.mjs", import.meta.url));
const runtime = fileURLToPath(new URL("../../../scripts/runtime.mjs", import.meta.url));
const args = process.argv.slice(2);
const here = spawnSync(process.execPath, [run, ...args], { stdio: "inherit" }).status;
const node24 = spawnSync(process.execPath, [runtime, "node24", "./bench/run.mjs", ...args], {
  stdio: "inherit",
}).status;
process.exit(here || node24 || 0);
