// The closing `N passed, N failed` line of `npm test` counts a run that failed on an unhandled error
// (a type error of a test file, a rejection nobody handled) though each of its tests passed: vitest's
// JSON report alone says `success: true` then, and the summary said "0 failed" on a red build.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { summarize } from "../../../scripts/lib/summary.mjs";

const fixture = fileURLToPath(new URL("./unhandled-fixture", import.meta.url));
const vitest = join(createRequire(import.meta.url).resolve("vitest/package.json"), "..", "vitest.mjs");
const made: string[] = [];
afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

it("a run whose tests all passed but which had an unhandled error counts one failure per error", () => {
  const results = mkdtempSync(join(tmpdir(), "asyncwith-results-"));
  made.push(results);
  const run = spawnSync(process.execPath, [vitest, "run", "--config", "vitest.config.ts"], {
    cwd: fixture,
    encoding: "utf8",
    env: { ...process.env, ASYNCWITH_RESULTS_DIR: results },
  });
  expect(run.status, run.stdout + run.stderr).toBe(1);
  expect(summarize(results)).toMatchObject({ passed: 1, failed: 1 });
});
