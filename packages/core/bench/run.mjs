// `pnpm bench`: each construct's cost as a ratio to a hand-written
// `await enter(); try { await body() } finally { await exit() }` measured in the same process and
// run, plus the microtask ticks each adds. `--quick` runs a shorter measurement.
import { createRequire } from "node:module";
import { Bench } from "tinybench";
import { aenter, aexit, AsyncExitStack, asyncWith, contextManager } from "../dist/index.js";
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

const cases = {
  "raw try/finally (baseline)": async () => {
    const value = await enter();
    try {
      return await body(value);
    } finally {
      await exit();
    }
  },
  asyncWith: () => asyncWith(manager, body),
  contextManager: () => asyncWith(generatorManager(), body),
  "AsyncExitStack, one callback": oneCallback(AsyncExitStack),
  "await using (TypeScript downlevel)": tsAwaitUsing(enter, exit, body),
  "core-js AsyncDisposableStack, one callback": oneCallback(CoreJsStack),
};
const goals = { asyncWith: 1.1, contextManager: 1.8, "AsyncExitStack, one callback": 1.5 };

// The machine is noisy, so the bench runs several rounds; each round measures every construct and
// the baseline back to back, and the reported ratio is the median of the rounds' ratios.
const rounds = quick ? 3 : 7;
const ratios = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
const nanos = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  const bench = new Bench({ time: quick ? 100 : 400, warmup: true, warmupTime: quick ? 30 : 100 });
  for (const [name, fn] of Object.entries(cases)) bench.add(name, fn);
  await bench.run();
  const baseline = bench.tasks[0].result.latency.mean;
  for (const task of bench.tasks) {
    ratios[task.name].push(task.result.latency.mean / baseline);
    nanos[task.name].push(task.result.latency.mean * 1e6);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const baseTicks = await countTicks(cases["raw try/finally (baseline)"]);
const rows = [];
for (const name of Object.keys(cases)) {
  const ratio = median(ratios[name]);
  const ticks = (await countTicks(cases[name])) - baseTicks;
  const goal = goals[name];
  rows.push({
    construct: name,
    "ns/op": Math.round(median(nanos[name])),
    "× raw": ratio.toFixed(2),
    "extra ticks": ticks,
    goal: goal ? `≤ ${goal}×${name === "asyncWith" ? ", 0 ticks" : ""}` : "",
    met: goal ? (ratio <= goal && (name !== "asyncWith" || ticks === 0) ? "yes" : "NO") : "",
  });
}
console.log(`\n@asyncwith/core on Node ${process.version}, median of ${rounds} rounds (${quick ? "quick" : "full"} run)`);
console.table(rows);

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
