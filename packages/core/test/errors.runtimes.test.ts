// How the ponyfill prints in real runtimes: Node's console.log (util.inspect) and Bun's show an
// error's own enumerable keys only, so without help both inner errors would be invisible.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../dist/errors.js", import.meta.url));
const script = `import { _ponyfill } from ${JSON.stringify(dist)};
const S = _ponyfill();
console.log(S(new Error("inner A"), new Error("inner B"), "outer"));`;

/** The binary `npm test` installed into .tools/ (or the *_PATH variable it sets). */
const tool = (variable: string, path: string) =>
  process.env[variable] ?? [fileURLToPath(new URL(`../../../.tools/${path}`, import.meta.url))].find(existsSync);
const runtimes: [string, string | undefined, string[]][] = [
  ["Node", process.execPath, ["--input-type=module", "-e", script]],
  ["Bun", tool("BUN_PATH", "bun-1.4.5/node_modules/bun/bin/bun.exe"), ["-e", script]],
  ["Deno", tool("DENO_PATH", "deno-2.9.6/node_modules/@deno/linux-x64-glibc/deno"), ["eval", script]],
];

describe("the SuppressedError ponyfill, printed by console.log", () => {
  for (const [name, binary, args] of runtimes) {
    it(`shows both inner errors in ${name}`, () => {
      if (!binary)
        throw new Error(
          `Expected ${name} to run this test, got no binary: run \`npm test\` (it installs ${name} into .tools/ and sets its *_PATH variable).`,
        );
      const printed = execFileSync(binary, args, { encoding: "utf8" });
      expect(printed).toMatch(/^SuppressedError: outer\n/);
      expect(printed).toMatch(/\[error\]: Error: inner A/);
      expect(printed).toMatch(/\[suppressed\]: Error: inner B/);
    });
  }
});
