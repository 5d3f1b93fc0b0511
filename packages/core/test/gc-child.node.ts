// Runs an ES module in a child Node with a real garbage collector (--expose-gc), for the tests that
// need one: leak warnings, and two copies of core in one process. Node-only (not a test file).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";

/**
 * Runs `source` (top-level await allowed; `collect()` runs the collector and its finalizers) and
 * returns what it printed as JSON. Anything on stderr fails the test.
 */
export function runInGcChild(source: string): unknown {
  const script = join(mkdtempSync(join(tmpdir(), "asyncwith-gc-")), "script.mjs");
  writeFileSync(
    script,
    `const collect = async () => { for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 0)); } };
${source}`,
  );
  const run = spawnSync(process.execPath, ["--expose-gc", script], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout);
}
