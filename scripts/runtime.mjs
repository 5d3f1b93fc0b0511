#!/usr/bin/env node
// Runs a package's CLI (e.g. `vitest run`) or one of its scripts (`./bench/run.mjs`) under another
// runtime: `node scripts/runtime.mjs node22|node24|bun|deno <package-bin | ./file> [args…]`. `npm test` installs
// each runtime into .tools/ and sets its *_PATH variable; this never skips silently when one is missing.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const runtimes = {
  node22: { variable: "NODE22_PATH", args: (entry) => [entry] },
  node24: { variable: "NODE24_PATH", args: (entry) => [entry] },
  bun: { variable: "BUN_PATH", args: (entry) => ["--bun", entry] }, // --bun: Bun's runtime, not a Node it finds on PATH
  deno: { variable: "DENO_PATH", args: (entry) => ["run", "-A", entry] },
};
const [name, bin, ...args] = process.argv.slice(2);
const runtime = runtimes[name];
if (!runtime) {
  console.error(`Expected a runtime (${Object.keys(runtimes).join(", ")}), got ${JSON.stringify(name)}`);
  process.exit(2);
}
const binary = process.env[runtime.variable];
if (!binary || !existsSync(binary)) {
  console.error(
    `Expected ${runtime.variable} to point at the ${name} binary, got ${binary ? JSON.stringify(binary) : "nothing"}.\n` +
      `Run the tests through \`npm test\` (it installs ${name} into .tools/), or set ${runtime.variable}=/path/to/binary.`,
  );
  process.exit(1);
}
const entry = bin.startsWith(".") ? bin : binOf(bin); // a script of the package, or a dependency's CLI
// ASYNCWITH_RUNTIME tells configs that this is another runtime (vitest.shared.ts: type tests run once, on the host).
const env = { ...process.env, ASYNCWITH_RUNTIME: name };
const result = spawnSync(binary, [...runtime.args(entry), ...args], { stdio: "inherit", env });
process.exit(result.status ?? 1);

/** The file a dependency's CLI runs (its package.json "bin"), resolved from the current package. */
function binOf(name) {
  const manifest = createRequire(join(process.cwd(), "package.json")).resolve(`${name}/package.json`);
  const { bin: bins } = JSON.parse(readFileSync(manifest, "utf8"));
  return join(dirname(manifest), typeof bins === "string" ? bins : bins[name]);
}
