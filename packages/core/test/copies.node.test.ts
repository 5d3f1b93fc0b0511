// Two copies of core in one process — its ESM and CJS builds, as an app compiled to CJS under an
// ESM instrumentation preload has them — share observation and leak tracking: an observer or
// detectLeaks() turned on through one copy sees the blocks the other runs, once each. A child Node
// (with --expose-gc for the leak checks) loads both built copies.
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runInGcChild } from "./gc-child.node.js";

const esm = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const cjs = fileURLToPath(new URL("../dist/index.cjs", import.meta.url));

/** Runs `body` with `esm` and `cjs` bound to the two copies; returns what it printed as JSON. */
function withTwoCopies(body: string): unknown {
  return runInGcChild(`import { createRequire } from "node:module";
const esm = await import(${JSON.stringify(esm)});
const cjs = createRequire(import.meta.url)(${JSON.stringify(cjs)});
if (esm.asyncWith === cjs.asyncWith) throw new Error("expected two copies, got one");
const out = await (async () => { ${body} })();
console.log(JSON.stringify(out));`);
}

it("an observer added through one copy sees the blocks of the other, once each", () => {
  const seen = withTwoCopies(`
const seen = [];
const stop = esm.observe({ exited: (b) => seen.push(["esm", b.name, b.outcome]) });
cjs.observe({ exited: (b) => seen.push(["cjs", b.name, b.outcome]) });
await cjs.asyncWith(cjs.resource(() => 1, () => {}, "fromCjs"), () => {});
await esm.asyncWith(esm.resource(() => 1, () => {}, "fromEsm"), () => {}).catch(() => {});
await esm.asyncWith(cjs.resource(() => 1, () => {}, "mixed"), () => { throw new Error("x"); }).catch(() => {});
stop();
await cjs.asyncWith(cjs.resource(() => 1, () => {}, "afterStop"), () => {});
return seen;`);
  expect(seen).toEqual([
    ["esm", "fromCjs", "ok"],
    ["cjs", "fromCjs", "ok"],
    ["esm", "fromEsm", "ok"],
    ["cjs", "fromEsm", "ok"],
    ["esm", "mixed", "error"],
    ["cjs", "mixed", "error"],
    ["cjs", "afterStop", "ok"],
  ]);
});

it("an observer that throws, added through one copy, is removed without touching the other copy's block", () => {
  const out = withTwoCopies(`
const errors = [];
console.error = (...args) => errors.push(String(args[0]));
esm.observe({ entered() { throw new Error("observer bug"); } });
const value = await cjs.asyncWith(cjs.resource(() => 41, () => {}), (v) => v + 1);
const again = await cjs.asyncWith(cjs.resource(() => 1, () => {}), (v) => v);
return { value, again, errors: errors.length };`);
  expect(out).toEqual({ value: 42, again: 1, errors: 1 });
});

it("leak tracking turned on through one copy: what the other copy exits is never reported, what it leaks is", () => {
  const warnings = withTwoCopies(`
const warnings = [];
cjs.detectLeaks({ warn: (message) => warnings.push(/a (\\w+) was entered/.exec(message)?.[1]) });
await esm.asyncWith(esm.resource(() => 1, () => {}, "exited"), () => {});
await (async () => { const h = await esm.enter(esm.resource(() => 1, () => {}, "disposed")); h.ok(); await h[Symbol.asyncDispose](); })();
await (async () => { const m = esm.resource(() => 1, () => {}, "exitedByHand"); await m[esm.aenter](); await m[esm.aexit](); })();
await (async () => { await esm.resource(() => 1, () => {}, "leakedEsm")[esm.aenter](); })();
esm.detectLeaks({ warn: (message) => warnings.push("second " + /a (\\w+) was entered/.exec(message)?.[1]) });
await (async () => { const m = cjs.resource(() => 1, () => {}, "crossed"); await m[cjs.aenter](); await m[esm.aexit](); })();
await (async () => { await esm.resource(() => 1, () => {}, "leaked")[esm.aenter](); })();
await collect();
return warnings.sort();`);
  expect(warnings).toEqual(["leakedEsm", "second leaked"]);
});
