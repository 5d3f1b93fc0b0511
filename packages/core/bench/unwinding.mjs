// Unwinding N callbacks: time, and the heap each registered callback takes at the peak (all
// registered, none run yet), measured after a forced garbage collection in this same process.
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

/** Rows for each size and kind: ms to unwind and bytes per callback, for every stack class given. */
export async function unwinding(stacks, sizes) {
  const rows = [];
  for (const [name, Stack] of Object.entries(stacks)) {
    for (const n of sizes) {
      for (const kind of ["sync", "async"]) {
        const fn = kind === "sync" ? () => {} : async () => {};
        gc();
        const before = process.memoryUsage().heapUsed;
        let stack = new Stack();
        for (let i = 0; i < n; i++) stack.defer(fn);
        gc();
        const bytes = Math.max(0, (process.memoryUsage().heapUsed - before) / n); // a GC of unrelated garbage can make small runs dip below zero
        const start = performance.now();
        await stack.disposeAsync();
        const ms = performance.now() - start;
        stack = undefined;
        rows.push({
          stack: name,
          callbacks: n.toLocaleString("en"),
          kind,
          "unwind ms": Math.round(ms),
          "bytes/callback": Math.round(bytes),
        });
      }
    }
  }
  console.log(`\nunwinding — Node ${process.version}`);
  console.table(rows);
  return rows;
}
