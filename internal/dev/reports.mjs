// Shared by the summary, the matrix and the README writers: the JSON reports of a results folder,
// and markdown tables.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Every "<name>.json" report in `dir`, sorted by name: [name, parsed report]. */
export function readReports(dir) {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()
    : [];
  return files.map((file) => [file.replace(/\.json$/, ""), JSON.parse(readFileSync(join(dir, file), "utf8"))]);
}

/** A markdown table from a header and rows of cells. */
export const markdownTable = (header, rows) =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
