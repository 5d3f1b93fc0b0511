#!/usr/bin/env node
// `pnpm stress`: 20 runs of the fileLock stress (6 processes × 100 increments, ~15 SIGKILLs and 2
// freezes of the holder per run, holders with mixed stale, both builds and worker threads). Prints each run and writes the table into this package's README, between
// <!-- stress:start --> and <!-- stress:end -->. Exits non-zero if any run broke the lock.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { markdownTable } from "@asyncwith/dev/reports";
import { stress } from "./file-lock.mjs";

const runs = Number(process.argv[2] ?? 20);
const rows = [];
for (let i = 1; i <= runs; i++) {
  const started = Date.now();
  const r = await stress({ workers: 6, increments: 100, kills: 15, freezes: 2 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`run ${i}: ${JSON.stringify(r)} ${seconds} s`);
  rows.push([
    i,
    r.kills,
    r.freezes,
    r.reported,
    r.unreported,
    r.counter,
    r.missing,
    r.doubled,
    r.overlaps,
    r.ok ? "held" : "BROKEN",
  ]);
}
const broken = rows.filter((row) => row.at(-1) !== "held").length;
const table = markdownTable(
  [
    "run",
    "holders killed",
    "holders frozen",
    "increments reported",
    "committed by a killed holder",
    "counter",
    "lost",
    "doubled",
    "overlaps seen",
    "verdict",
  ],
  rows,
);
const block = `<!-- stress:start -->
Measured by \`pnpm --filter @asyncwith/node stress\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores: ${runs} runs, ${broken} broken.

${table}
<!-- stress:end -->`;
const readme = new URL("../README.md", import.meta.url);
const text = readFileSync(readme, "utf8");
if (text.includes("<!-- stress:start -->"))
  writeFileSync(readme, text.replace(/<!-- stress:start -->[\s\S]*<!-- stress:end -->/, block));
else console.log("README has no <!-- stress:start --> block: nothing written");
process.exit(broken ? 1 : 0);
