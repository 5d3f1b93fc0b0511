// Proves that a test leaving a rejection unhandled fails (Vitest 4 pins it to the test itself; the
// shared setup adds the same check for runners that do not): run a fixture suite in a child vitest.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

for (const [where, file] of [
  ["Node", "vitest.config.ts"],
  ["real Chromium", "vitest.browser.config.ts"],
]) {
  it(`fails exactly the test that left an unhandled rejection (${where})`, () => {
    const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
    const config = fileURLToPath(new URL(`./fixture/${file}`, import.meta.url));
    const run = spawnSync(process.execPath, [vitest, "run", "--config", config], {
      encoding: "utf8",
      env: { ...process.env, ASYNCWITH_RESULTS_DIR: "" },
    });
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf("{")));
    const results = report.testResults[0].assertionResults.map(
      (r: { title: string; status: string; failureMessages: string[] }) => [
        r.title,
        r.status,
        r.failureMessages.join(),
      ],
    );
    expect(results[0][0]).toBe("leaves a rejection unhandled");
    expect(results[0][1]).toBe("failed");
    expect(results[0][2]).toContain("nobody handles me");
    expect(results[1].slice(0, 2)).toEqual(["handles its rejection", "passed"]);
    expect(run.status).not.toBe(0);
  });
}
