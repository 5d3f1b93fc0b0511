// `pnpm bench`: each construct's cost as a ratio to a hand-written baseline measured in the same
// process and run, plus the microtask ticks each adds. `--quick` runs a shorter measurement.
import { createRequire } from "node:module";
import { Bench } from "tinybench";
import { aenter, aexit, AsyncExitStack, asyncWith, contextManager, Lock, TaskGroup } from "../dist/index.js";
import { tsAwaitUsing } from "./out/await-using.js";
import { countTicks } from "./ticks.mjs";

const require = createRequire(import.meta.url);
const CoreJsStack = require("core-js-pure/actual/async-disposable-stack");
const quick = process.argv.includes("--quick");

const enter = async () => 1;
const exit = async () => {};
const body = async (v) => v + 1;
const manager = { [aenter]: enter, [aexit]: exit };
const generatorManager = contextManager(async function* () {
  const value = await enter();
  try {
    yield value;
  } finally {
    await exit();
  }
});
const oneCallback = (Stack) => async () => {
  const stack = new Stack();
  const value = await enter();
  stack.defer(exit);
  try {
    return await body(value);
  } finally {
    await stack.disposeAsync();
  }
};

await compare("context managers, as a ratio to hand-written try/finally", {
  "raw try/finally (baseline)": async () => {
    const value = await enter();
    try {
      return await body(value);
    } finally {
      await exit();
    }
  },
  asyncWith: { run: () => asyncWith(manager, body), goal: 1.1, ticks: 0 },
  contextManager: { run: () => asyncWith(generatorManager(), body), goal: 1.8 },
  "AsyncExitStack, one callback": { run: oneCallback(AsyncExitStack), goal: 1.5 },
  "await using (TypeScript downlevel)": tsAwaitUsing(enter, exit, body),
  "core-js AsyncDisposableStack, one callback": oneCallback(CoreJsStack),
});

const lock = new Lock();
const noop = async () => {};
await compare("locks, as a ratio to a bare awaited no-op", {
  "await noop() (baseline)": async () => {
    await noop();
  },
  "Lock acquire + release, uncontended": { run: async () => {
    await lock.acquire();
    lock.release();
  }, goal: 2 },
  "asyncWith(lock, noop)": () => asyncWith(lock, noop),
});

const tasks = 10_000;
const task = async () => {};
await compare(`${tasks.toLocaleString("en")} tasks, as a ratio to Promise.allSettled`, {
  "Promise.allSettled (baseline)": () => Promise.allSettled(Array.from({ length: tasks }, () => task())),
  TaskGroup: { run: () => asyncWith(new TaskGroup(), (group) => {
    for (let i = 0; i < tasks; i++) group.spawn(task);
  }), goal: 1.5 },
}, { ticks: false });

// Unwinding a million callbacks: sync and async, timed in the same process.
for (const kind of ["sync", "async"]) {
  const stack = new AsyncExitStack();
  const fn = kind === "sync" ? () => {} : async () => {};
  for (let i = 0; i < 1_000_000; i++) stack.defer(fn);
  const start = performance.now();
  await stack.disposeAsync();
  const ms = performance.now() - start;
  console.log(`unwinding 1e6 ${kind} callbacks: ${ms.toFixed(0)} ms (goal < 300 ms: ${ms < 300 ? "met" : "NOT met"})`);
}

/**
 * Measures every case against the first one. The machine is noisy, so it runs several rounds;
 * each round measures every case back to back, and the ratio shown is the median of the rounds'.
 */
async function compare(title, cases, { ticks: withTicks = true } = {}) {
  const entries = Object.entries(cases).map(([name, c]) => [name, typeof c === "function" ? { run: c } : c]);
  const rounds = quick ? 3 : 7;
  const ratios = entries.map(() => []);
  const nanos = entries.map(() => []);
  // Round 0 only warms the JIT up. Each later round starts with a different case, so that no case
  // (the baseline included) is always measured first.
  for (let round = 0; round <= rounds; round++) {
    const bench = new Bench({ time: quick ? 100 : 400, warmup: true, warmupTime: quick ? 30 : 100 });
    const order = entries.map((_, i) => (i + round) % entries.length);
    for (const i of order) bench.add(String(i), entries[i][1].run);
    await bench.run();
    if (round === 0) continue;
    const mean = new Map(bench.tasks.map((t) => [Number(t.name), t.result.latency.mean]));
    for (const [i] of entries.entries()) {
      ratios[i].push(mean.get(i) / mean.get(0));
      nanos[i].push(mean.get(i) * 1e6);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const baseTicks = withTicks ? await countTicks(entries[0][1].run) : 0;
  const rows = [];
  for (const [i, [name, c]] of entries.entries()) {
    const ratio = median(ratios[i]);
    const extra = withTicks ? (await countTicks(c.run)) - baseTicks : undefined;
    const met = c.goal === undefined ? "" : ratio <= c.goal && (c.ticks === undefined || extra === c.ticks) ? "yes" : "NO";
    rows.push({
      construct: name,
      "ns/op": Math.round(median(nanos[i])),
      "× baseline": ratio.toFixed(2),
      ...(withTicks ? { "extra ticks": extra } : {}),
      goal: c.goal === undefined ? "" : `≤ ${c.goal}×${c.ticks === undefined ? "" : `, ${c.ticks} ticks`}`,
      met,
    });
  }
  console.log(`\n${title} — Node ${process.version}, median of ${rounds} rounds${quick ? " (quick)" : ""}`);
  console.table(rows);
}
