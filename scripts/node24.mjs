#!/usr/bin/env node
// Runs a package's CLI (e.g. `vitest run`) under Node 24, so a suite proves itself on both the
// machine's Node 20 and Node 24. `npm test` installs Node 24 and sets NODE24_PATH; this never
// skips silently when it is missing.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const [name, ...args] = process.argv.slice(2);
const node = process.env.NODE24_PATH;
if (!node || !existsSync(node)) {
  console.error(
    `Expected NODE24_PATH to point at a Node 24 binary, got ${node ? JSON.stringify(node) : "nothing"}.\n` +
      "Run the tests through `npm test` (it installs Node 24 into .tools/), or set NODE24_PATH=/path/to/node24.",
  );
  process.exit(1);
}
const require = createRequire(join(process.cwd(), "package.json"));
const manifest = require.resolve(`${name}/package.json`);
const { bin } = JSON.parse(readFileSync(manifest, "utf8"));
const entry = join(dirname(manifest), typeof bin === "string" ? bin : bin[name]);
const result = spawnSync(node, [entry, ...args], { stdio: "inherit" });
process.exit(result.status ?? 1);
