// The runtime matrix: which package's tests passed on which runtime, from the JSON reports of the
// latest `npm test` (.test-results/<package> (<runtime>).json).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const order = ["node 20", "node 24", "bun", "deno", "chromium", "workerd", "wrangler dev"];

/** A markdown table: one row per package, one column per runtime, cells "passed / total". */
export function matrix(dir) {
  const cells = new Map();
  const runtimes = new Set();
  for (const file of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : []) {
    const match = /^(.+) \((.+)\)\.json$/.exec(file);
    if (!match) continue;
    const [, pkg, runtime] = match;
    const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
    runtimes.add(runtime);
    cells.set(`${pkg}|${runtime}`, `${report.numPassedTests} / ${report.numTotalTests}`);
  }
  const columns = [...runtimes].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const packages = [...new Set([...cells.keys()].map((key) => key.split("|")[0]))].sort();
  const lines = [`| package | ${columns.join(" | ")} |`, `|---|${columns.map(() => "---").join("|")}|`];
  for (const pkg of packages) lines.push(`| ${pkg} | ${columns.map((r) => cells.get(`${pkg}|${r}`) ?? "—").join(" | ")} |`);
  return lines.join("\n");
}

const rank = (runtime) => (order.includes(runtime) ? order.indexOf(runtime) : order.length);
