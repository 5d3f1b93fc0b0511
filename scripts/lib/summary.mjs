// Adds up the JSON reports every test runner wrote into the results folder.
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
    const fileFailed = report.numFailedTests + brokenSuites;
    passed += report.numPassedTests;
    failed += fileFailed;
    rows.push(
      `  ${name.padEnd(36)} ${String(report.numPassedTests).padStart(6)} passed ${String(fileFailed).padStart(4)} failed`,
    );
  }
  return { passed, failed, rows };
}
