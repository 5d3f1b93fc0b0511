// Adds up the JSON reports every test runner wrote into the results folder.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readReports } from "../../internal/dev/reports.mjs";

/** @returns {{ passed: number, failed: number, rows: string[] }} */
export function summarize(dir) {
  let passed = 0;
  let failed = 0;
  const rows = [];
  for (const [name, report] of readReports(dir)) {
    // A suite that crashed before running tests reports failed suites but no failed tests.
    const brokenSuites = (report.testResults ?? []).filter(
      (r) => r.status === "failed" && r.assertionResults?.length === 0,
    ).length;
    // An unhandled error fails the run though every test passed (vitest.shared.ts writes the count).
    const unhandledFile = join(dir, `${name}.unhandled`);
    const unhandled = existsSync(unhandledFile) ? Number(readFileSync(unhandledFile, "utf8")) : 0;
    const fileFailed = report.numFailedTests + brokenSuites + unhandled;
    passed += report.numPassedTests;
    failed += fileFailed;
    rows.push(
      `  ${name.padEnd(36)} ${String(report.numPassedTests).padStart(6)} passed ${String(fileFailed).padStart(4)} failed`,
    );
  }
  return { passed, failed, rows };
}
