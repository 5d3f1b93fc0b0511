// `pnpm bench`: each construct's cost as a ratio to a hand-written baseline measured in the same
// process and run, plus the microtask ticks each adds. `--quick` runs a shorter measurement.
import { createRequire } from "node:module";
import { aenter, aexit, AsyncExitStack, asyncWith, contextManager, Lock, TaskGroup } from "../dist/index.js";
import { tsAwaitUsing } from "./out/await-using.js";
import { countTicks } from "./ticks.mjs";
import { comparer } from "../../../scripts/lib/compare.mjs";

const require = createRequire(import.meta.url);
const CoreJsStack = require("core-js-pure/actual/async-disposable-stack");
const quick = process.argv.includes("--quick");
const compare = comparer({ quick, countTicks });

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
