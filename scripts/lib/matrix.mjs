// The runtime matrix: which package's tests passed on which runtime, from the JSON reports of the
// latest `npm test` (.test-results/<package> (<runtime>).json).
import { markdownTable, readReports } from "../../internal/dev/reports.mjs";

const order = ["node 20", "node 22", "node 24", "bun", "deno", "chromium", "workerd", "wrangler dev"];

/** A markdown table: one row per package, one column per runtime, cells "passed / total". */
export function matrix(dir) {
  const cells = new Map();
  const runtimes = new Set();
  for (const [name, report] of readReports(dir)) {
    const match = /^(.+) \((.+)\)$/.exec(name);
    if (!match) continue;
    runtimes.add(match[2]);
    cells.set(`${match[1]}|${match[2]}`, `${report.numPassedTests} / ${report.numTotalTests}`);
  }
  const columns = [...runtimes].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const packages = [...new Set([...cells.keys()].map((key) => key.split("|")[0]))].sort();
  return markdownTable(
    ["package", ...columns],
    packages.map((pkg) => [pkg, ...columns.map((r) => cells.get(`${pkg}|${r}`) ?? "—")]),
  );
}

const rank = (runtime) => (order.includes(runtime) ? order.indexOf(runtime) : order.length);
