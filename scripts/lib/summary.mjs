// Adds up the JSON reports every test runner wrote into the results folder.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** @returns {{ passed: number, failed: number, rows: string[] }} */
export function summarize(dir) {
  let passed = 0;
  let failed = 0;
  const rows = [];
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];
  for (const file of files) {
    const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
    // A suite that crashed before running tests reports failed suites but no failed tests.
    const brokenSuites = (report.testResults ?? []).filter((r) => r.status === "failed" && r.assertionResults?.length === 0).length;
    const fileFailed = report.numFailedTests + brokenSuites;
    passed += report.numPassedTests;
    failed += fileFailed;
    rows.push(`  ${file.replace(/\.json$/, "").padEnd(36)} ${String(report.numPassedTests).padStart(6)} passed ${String(fileFailed).padStart(4)} failed`);
  }
  return { passed, failed, rows };
}
