// `pnpm bench`: the core's constructs against what users would pick instead, as ratios to a
// hand-written baseline measured in the same process and run, plus the microtask ticks each adds.
// Run once per runtime (Node 20 and Node 24, where native `await using` exists). `--quick` runs a
// short measurement and fails only on deterministic figures: microtask ticks over their budgets.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { createRequire } from "node:module";
import { Effect } from "effect";
import { aenter, aexit, AsyncExitStack, asyncWith, contextManager, Lock, observe, TaskGroup } from "../dist/index.js";
import { comparer } from "@asyncwith/dev/compare";
import { tsAwaitUsing } from "./out/await-using.js";
import { countTicks } from "./ticks.mjs";
import { unwinding } from "./unwinding.mjs";

const require = createRequire(import.meta.url);
const CoreJsStack = require("core-js-pure/actual/async-disposable-stack");
const NativeStack = globalThis.AsyncDisposableStack;
const native = NativeStack ? await import("./native.mjs") : undefined;
const quick = process.argv.includes("--quick");
const compare = comparer({ quick, countTicks });
const tables = [];
const table = async (title, cases, options) => tables.push({ title, rows: await compare(title, cases, options) });

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
// The floor for a generator-based manager: the same async generator, driven by hand.
async function* bareGenerator() {
  const value = await enter();
  try {
    yield value;
  } finally {
    await exit();
  }
}
const byHand = async () => {
  const g = bareGenerator();
  const { value } = await g.next();
  try {
    return await body(value);
  } finally {
    await g.next();
  }
};
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
const hundredCallbacks = (Stack) => async () => {
  const stack = new Stack();
  for (let i = 0; i < 100; i++) stack.defer(exit);
  await stack.disposeAsync();
};

await table("context managers, as a ratio to hand-written try/finally", {
  "raw try/finally (baseline)": async () => {
    const value = await enter();
    try {
      return await body(value);
    } finally {
      await exit();
    }
  },
  asyncWith: { run: () => asyncWith(manager, body), goal: 1.1, ticks: 0 },
  contextManager: { run: () => asyncWith(generatorManager(), body), goal: 1.8, ticks: 5 },
  "AsyncExitStack, one callback": { run: oneCallback(AsyncExitStack), goal: 1.5, ticks: 1 },
  "await using (TypeScript downlevel)": tsAwaitUsing(enter, exit, body),
  ...(native && {
    "await using (native)": native.nativeAwaitUsing(enter, exit, body),
    "AsyncDisposableStack (native), one callback": oneCallback(NativeStack),
  }),
  "core-js AsyncDisposableStack, one callback": oneCallback(CoreJsStack),
  "Effect.acquireUseRelease": () =>
    Effect.runPromise(
      Effect.acquireUseRelease(
        Effect.promise(enter),
        (v) => Effect.promise(() => body(v)),
        () => Effect.promise(exit),
      ),
    ),
});

await table(
  "exit stacks, 100 async callbacks deferred then unwound, as a ratio to an array unwound by hand",
  {
    "array + reverse loop (baseline)": async () => {
      const callbacks = [];
      for (let i = 0; i < 100; i++) callbacks.push(exit);
      for (let i = callbacks.length - 1; i >= 0; i--) await callbacks[i]();
    },
    AsyncExitStack: hundredCallbacks(AsyncExitStack),
    ...(native && { "AsyncDisposableStack (native)": hundredCallbacks(NativeStack) }),
    "core-js AsyncDisposableStack": hundredCallbacks(CoreJsStack),
  },
  { ticks: false },
);

// Per operation: each method of the stack on its own, 100 times per run (registration is where a
// stack's own cost lives; unwinding async callbacks is dominated by awaiting them).
const syncNoop = () => {};
const disposable = { [Symbol.dispose]: syncNoop };
const perOperation = {
  "defer ×100": (Stack) => () => {
    const stack = new Stack();
    for (let i = 0; i < 100; i++) stack.defer(syncNoop);
  },
  "use ×100": (Stack) => () => {
    const stack = new Stack();
    for (let i = 0; i < 100; i++) stack.use(disposable);
  },
  "defer ×100 + move()": (Stack) => () => {
    const stack = new Stack();
    for (let i = 0; i < 100; i++) stack.defer(syncNoop);
    stack.move();
  },
  "defer + disposeAsync, 100 sync callbacks": (Stack) => async () => {
    const stack = new Stack();
    for (let i = 0; i < 100; i++) stack.defer(syncNoop);
    await stack.disposeAsync();
  },
};
for (const [operation, make] of Object.entries(perOperation)) {
  await table(
    `exit stacks per operation: ${operation}, as a ratio to AsyncExitStack`,
    {
      "AsyncExitStack (baseline)": make(AsyncExitStack),
      ...(native && { "AsyncDisposableStack (native)": make(NativeStack) }),
      "core-js AsyncDisposableStack": make(CoreJsStack),
    },
    { ticks: false },
  );
}

await table(
  "contextManager, as a ratio to its floor: the same async generator driven by hand",
  {
    "async generator by hand (baseline)": byHand,
    contextManager: { run: () => asyncWith(generatorManager(), body), goal: 1.1 },
  },
  { ticks: false },
);

const lock = new Lock();
const noop = async () => {};
await table("locks, as a ratio to a bare awaited no-op", {
  "await noop() (baseline)": async () => {
    await noop();
  },
  "Lock acquire + release, uncontended": {
    run: async () => {
      await lock.acquire();
      lock.release();
    },
    goal: 2,
  },
  "asyncWith(lock, noop)": () => asyncWith(lock, noop),
});

const tasks = 10_000;
const outerSignal = new AbortController().signal; // followed, never aborted
const task = async () => {};
await table(
  `${tasks.toLocaleString("en")} tasks, as a ratio to Promise.allSettled`,
  {
    "Promise.allSettled (baseline)": () => Promise.allSettled(Array.from({ length: tasks }, () => task())),
    TaskGroup: {
      run: () =>
        asyncWith(new TaskGroup(), (group) => {
          for (let i = 0; i < tasks; i++) group.spawn(task);
        }),
      goal: 1.5,
    },
    "TaskGroup with an outer signal": {
      run: () =>
        asyncWith(new TaskGroup({ signal: outerSignal }), (group) => {
          for (let i = 0; i < tasks; i++) group.spawn(task);
        }),
      goal: 1.5,
    },
  },
  { ticks: false },
);

// Last, so that every row above ran with no observer ever registered (observe() fills its slot
// on first use): the cost of one observer, against asyncWith with nobody watching.
let watching = false;
observe({ active: () => watching, enter() {}, entered() {}, exit() {}, exited() {} });
await table(
  "asyncWith watched by one observer, as a ratio to asyncWith with the observer inactive",
  {
    "asyncWith, observer inactive (baseline)": () => asyncWith(manager, body),
    "asyncWith, one observer": () => {
      watching = true;
      const done = asyncWith(manager, body);
      watching = false;
      return done;
    },
  },
  { ticks: false },
);

const unwound = await unwinding(
  { AsyncExitStack, ...(NativeStack && { "AsyncDisposableStack (native)": NativeStack }) },
  quick ? [1e4, 1e5] : [1e4, 1e5, 1e6],
);

// Results for the README writer (scripts/bench-readme.mjs): one file per runtime.
const results = new URL(`../../../.bench-results/`, import.meta.url);
mkdirSync(results, { recursive: true });
const runtime = `node ${process.versions.node.split(".")[0]}`;
const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
writeFileSync(
  new URL(`core (${runtime}).json`, results),
  JSON.stringify(
    { runtime, node: process.version, date: new Date().toISOString(), machine, quick, tables, unwinding: unwound },
    null,
    2,
  ),
);

if (compare.tickFailures.length) {
  console.error(
    `\nMicrotask ticks over budget (deterministic, so this fails):\n  ${compare.tickFailures.join("\n  ")}`,
  );
  process.exit(1);
}
