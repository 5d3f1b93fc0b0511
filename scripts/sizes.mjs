#!/usr/bin/env node
// `npm run sizes` (and part of `pnpm bench`): the bundle-size table; fails when a figure is over its
// budget (sizes are deterministic, unlike timings). Needs the packages built.
import { mkdirSync, writeFileSync } from "node:fs";
import { measureAll } from "../internal/dev/sizes.mjs";

const rows = await measureAll();
console.log("\nbundle sizes, min+gzip (esbuild, ESM, tree-shaken)");
console.table(rows.map(({ over, ...row }) => ({ ...row, within: row.budget === "" ? "" : over ? "NO" : "yes" })));
const results = new URL("../.bench-results/", import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(new URL("sizes.json", results), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
const over = rows.filter((row) => row.over);
if (over.length) {
  console.error(
    `Over budget: ${over.map((row) => `${row.bundle} ${row["bytes (min+gzip)"]} > ${row.budget}`).join("; ")}`,
  );
  process.exit(1);
}
