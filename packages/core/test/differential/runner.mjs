// Runs TC39 disposal programs (JSON, from the file in argv[2]) against one implementation and
// prints their outcomes as JSON: "native" (the runtime's AsyncDisposableStack) or "asyncwith"
// (this package's AsyncExitStack, from dist/). Plain JS, so both run in any Node without a build.
import { readFileSync } from "node:fs";

const [file, impl] = process.argv.slice(2);
const programs = JSON.parse(readFileSync(file, "utf8"));
const lib = impl === "native" ? globalThis : await import("../../dist/index.js");
const Stack = impl === "native" ? globalThis.AsyncDisposableStack : lib.AsyncExitStack;
const canAwaitUsing = typeof globalThis.SuppressedError === "function"; // Node 24 parses `await using`
const awaitUsing = canAwaitUsing ? (await import("./await-using.mjs")).awaitUsing : undefined;

const outcomes = [];
for (const program of programs) {
  if (program.end.kind === "awaitUsing" && !awaitUsing) {
    outcomes.push(null);
    continue;
  }
  outcomes.push(await run(program));
}
process.stdout.write(JSON.stringify(outcomes));

async function run(program) {
  const log = [];
  let ids = 0;
  const fresh = (kind) => {
    const id = `E${++ids}`;
    return kind === "undefined" ? undefined : kind === "string" ? id : new Error(id);
  };
  const disposer = (op, name) => {
    const act = () => {
      log.push(`dispose ${name}`);
      if (op.exit === "throw") throw fresh(op.thrown);
    };
    // A sync disposer's return value is ignored, so it must not return a (rejecting) promise.
    if (op.res === "sync" || op.plain) return act; // plain: a TC39 disposer returning no promise, awaited all the same
    return op.delay ? async () => (await null, act()) : async () => act();
  };
  const attempt = (what, f) => {
    try {
      f();
    } catch (error) {
      log.push(`${what} threw ${error?.constructor?.name}`);
    }
  };
  let stack = new Stack();
  program.ops.forEach((op, i) => {
    const name = `${op.t}${i}`;
    if (op.t === "use") {
      const resource =
        op.res === "null"
          ? null
          : op.res === "undefined"
            ? undefined
            : op.res === "sync"
              ? { [Symbol.dispose]: disposer(op, name) }
              : op.res === "fallback"
                ? { [Symbol.asyncDispose]: null, [Symbol.dispose]: disposer({ ...op, res: "sync" }, name) }
                : op.res === "function" // a function is an object: a disposable one is used like any other
                  ? Object.assign(() => {}, { [Symbol.asyncDispose]: disposer(op, name) })
                  : { [Symbol.asyncDispose]: disposer(op, name) };
      log.push(`use ${name} -> ${stack.use(resource) === resource}`);
    } else if (op.t === "adopt") {
      const value = { name };
      const dispose = disposer(op, name);
      log.push(
        `adopt ${name} -> ${stack.adopt(value, (v) => (log.push(`adopted ${v === value}`), dispose())) === value}`,
      );
    } else if (op.t === "defer") {
      log.push(`defer ${name} -> ${stack.defer(disposer(op, name))}`);
    } else if (op.t === "move") {
      const old = stack;
      stack = old.move();
      log.push(`move: old disposed ${old.disposed}, new disposed ${stack.disposed}`);
      attempt("defer on moved", () => old.defer(() => {}));
    } else if (op.t === "bad") {
      attempt(`${op.method}(${String(op.value)})`, () => stack[op.method](op.value, op.value));
    }
  });
  // Concurrent microtask jobs: each logs its tick, so the log shows exactly how disposal
  // interleaves with other work (the spec's Await steps), not only the order of its own events.
  let ticking = true;
  const jobs = ["A", "B"].map(async (job) => {
    for (let tick = 0; ticking && tick < 400; tick++) {
      log.push(`job ${job} ${tick}`);
      await null;
    }
  });
  let result = "ok";
  try {
    if (program.end.kind === "awaitUsing")
      await awaitUsing(stack, () => {
        log.push("body");
        if (program.end.body) throw fresh(program.end.body);
      });
    else {
      try {
        await stack.disposeAsync();
      } finally {
        if (program.end.twice) log.push(`second dispose -> ${await stack.disposeAsync()}`);
      }
    }
  } catch (error) {
    result = shape(error);
  }
  log.push(`disposed ${stack.disposed}`);
  ticking = false;
  await Promise.all(jobs);
  attempt("use after dispose", () => stack.use(null));
  return { log, result };
}

function shape(x) {
  if (x instanceof lib.SuppressedError) {
    return { suppressedError: x.message, error: shape(x.error), suppressed: shape(x.suppressed), keys: Object.keys(x) };
  }
  return x instanceof Error ? `Error ${x.message}` : String(x);
}
