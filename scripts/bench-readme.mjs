#!/usr/bin/env node
// Writes the latest full `pnpm bench` results (.bench-results/*.json) into BENCHMARKS.md, the one
// generated place for figures: comparison, goals, unwinding and size tables, with the date, the
// Node versions and the machine. READMEs link to it and never copy a number.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { markdownTable } from "../internal/dev/reports.mjs";

const dir = new URL("../.bench-results/", import.meta.url);
const load = (name) =>
  existsSync(new URL(name, dir)) ? JSON.parse(readFileSync(new URL(name, dir), "utf8")) : undefined;
const runs = readdirSync(dir)
  .filter((f) => /^core \(node \d+\)\.json$/.test(f))
  .sort()
  .map(load);
if (!runs.length || runs.some((r) => r.quick)) {
  console.error(
    "Expected full (not --quick) core bench results in .bench-results/, got none: run `npm run bench` first.",
  );
  process.exit(1);
}
const sizes = load("sizes.json");
const node = load("node (node 20).json");
const postgres = load("postgres (node 20).json");

const ratioIn = (run, title, construct) =>
  Number(
    run.tables.find((t) => t.title.startsWith(title))?.rows.find((r) => r.construct === construct)?.["× baseline"],
  );
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : "—");

// 1. Context managers against the alternatives, per runtime.
const first = "context managers";
const constructs = [
  ...new Set(runs.flatMap((r) => r.tables.find((t) => t.title.startsWith(first)).rows.map((row) => row.construct))),
];
const comparison = markdownTable(
  ["construct", ...runs.map((r) => `× try/finally, ${r.node}`), "extra microtask ticks"],
  constructs.map((c) => [
    c,
    ...runs.map((r) => fmt(ratioIn(r, first, c))),
    String(runs.at(-1).tables[0].rows.find((row) => row.construct === c)?.["extra ticks"] ?? "—"),
  ]),
);

// 2. The goals, computed from the same runs.
const latest = runs.at(-1); // Node 24: the one with native await using
const nativeUsing = ratioIn(latest, first, "await using (native)");
const perOp = (run) =>
  run.tables
    .filter((t) => t.title.startsWith("exit stacks per operation"))
    .map((t) => ({ op: t.title.replace(/^exit stacks per operation: (.*), as a ratio.*$/, "$1"), rows: t.rows }));
const times = (rows, name) => Number(rows.find((r) => r.construct === name)?.["× baseline"]);
const goals = [];
for (const c of ["asyncWith", "contextManager", "AsyncExitStack, one callback"]) {
  const mine = ratioIn(latest, first, c);
  goals.push([
    `${c} faster than native \`await using\` (${latest.node})`,
    `${fmt(mine)} vs ${fmt(nativeUsing)}`,
    mine < nativeUsing ? "met" : "not met",
  ]);
}
for (const { op, rows } of perOp(latest)) {
  const native = times(rows, "AsyncDisposableStack (native)");
  goals.push([
    `AsyncExitStack ≥ 3× faster than native AsyncDisposableStack: ${op}`,
    `${fmt(native)}×`,
    native >= 3 ? "met" : "not met",
  ]);
}
for (const run of runs) {
  for (const { op, rows } of perOp(run)) {
    const coreJs = times(rows, "core-js AsyncDisposableStack");
    goals.push([
      `AsyncExitStack ≥ 10× faster than core-js (${run.node}): ${op}`,
      `${fmt(coreJs)}×`,
      coreJs >= 10 ? "met" : "not met",
    ]);
  }
}
for (const run of runs) {
  // The core lifecycle's own guardrail (#21): asyncWith costs what try/finally does, and no tick more.
  const plain = ratioIn(run, first, "asyncWith");
  const ticks = run.tables.find((t) => t.title.startsWith(first))?.rows.find((r) => r.construct === "asyncWith")?.[
    "extra ticks"
  ];
  goals.push([
    `asyncWith ≤ 1.10× hand-written try/finally, +0 microtask ticks (${run.node})`,
    `${fmt(plain)}×, +${ticks ?? "?"}`,
    plain <= 1.1 && ticks === 0 ? "met" : "not met",
  ]);
  const floor = ratioIn(run, "contextManager, as a ratio to its floor", "contextManager");
  goals.push([
    `contextManager ≤ 1.10× the same async generator driven by hand (${run.node})`,
    `${fmt(floor)}×`,
    floor <= 1.1 ? "met" : "not met",
  ]);
  const group = ratioIn(run, "10,000 tasks", "TaskGroup with an outer signal");
  goals.push([
    `TaskGroup with an outer signal ≤ 1.5× Promise.allSettled, 10,000 tasks (${run.node})`,
    `${fmt(group)}×`,
    group <= 1.5 ? "met" : "not met",
  ]);
  const lock = ratioIn(run, "locks", "Lock acquire + release, uncontended");
  goals.push([`uncontended Lock ≤ 2× a bare await (${run.node})`, `${fmt(lock)}×`, lock <= 2 ? "met" : "not met"]);
  const one = ratioIn(run, first, "AsyncExitStack, one callback");
  goals.push([
    `AsyncExitStack, one callback ≤ 1.5× hand-written try/finally (${run.node})`,
    `${fmt(one)}×`,
    one <= 1.5 ? "met" : "not met",
  ]);
}
for (const run of runs) {
  const million = run.unwinding.filter((r) => r.stack === "AsyncExitStack" && r.callbacks === "1,000,000");
  for (const r of million)
    goals.push([
      `1e6 ${r.kind} callbacks at ≤ 200 bytes each (${run.node})`,
      `${r["bytes/callback"]} B`,
      r["bytes/callback"] <= 200 ? "met" : "not met",
    ]);
  for (const r of million)
    goals.push([
      `1e6 ${r.kind} callbacks unwound in < 300 ms (${run.node})`,
      `${r["unwind ms"]} ms`,
      r["unwind ms"] < 300 ? "met" : "not met",
    ]);
}
const goalTable = markdownTable(["goal", "measured", ""], goals);

// 3. Unwinding, 4. sizes, 5. the Node adapter.
const unwinding = markdownTable(
  ["runtime", "stack", "callbacks", "kind", "unwind ms", "bytes/callback"],
  runs.flatMap((run) =>
    run.unwinding.map((r) => [run.node, r.stack, r.callbacks, r.kind, r["unwind ms"], r["bytes/callback"]]),
  ),
);
const sizeTable = sizes
  ? markdownTable(
      ["bundle", "bytes (min+gzip)", "budget", "goal"],
      sizes.rows.map((r) => [r.bundle, r["bytes (min+gzip)"], r.budget, r.goal]),
    )
  : "(run `npm run sizes`)";
// A package bench's tables (node, postgres): each case as a ratio to its baseline, with its goal.
const ratioTables = (result) =>
  result
    ? result.tables
        .map(
          (t) =>
            `${t.title}:\n\n${markdownTable(
              ["construct", "× baseline", "goal"],
              t.rows.map((r) => [r.construct, r["× baseline"], r.goal ? `${r.goal} ${r.met}` : ""]),
            )}`,
        )
        .join("\n\n")
    : "";
const postgresTables = ratioTables(postgres);
const nodeTables = ratioTables(node);

const page = `# Benchmarks and sizes

<!-- Generated by \`npm run bench\` (scripts/bench-readme.mjs): edit the script, not this file. -->

Measured by \`npm run bench\` on ${latest.date.slice(0, 10)}: ${runs.map((r) => r.node).join(" and ")}, ${latest.machine}; median of 7 rounds, each case a ratio to a baseline measured in the same process. Timings are printed, never enforced; microtask ticks and bundle sizes are (\`npm test\` runs a short bench).

## Context managers against the alternatives

${comparison}

## Goals

From the same runs:

${goalTable}

## Unwinding

Peak heap per registered callback, after a forced GC:

${unwinding}

## Bundle sizes

esbuild, ESM, tree-shaken, min+gzip; budgets enforced by \`npm test\`:

${sizeTable}
${nodeTables ? `\n## @asyncwith/node\n\n${node.node}:\n\n${nodeTables}\n` : ""}${postgresTables ? `\n## @asyncwith/postgres\n\n${postgres.node}:\n\n${postgresTables}\n` : ""}`;

writeFileSync(new URL("../BENCHMARKS.md", import.meta.url), page);
