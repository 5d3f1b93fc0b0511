// detectLeaks() with a real garbage collector: a child Node with --expose-gc, running the built
// core alone (the warnings go to the `warn` option, which is core's own reporting path).
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runInGcChild } from "./gc-child.node.js";

const core = fileURLToPath(new URL("../dist/index.js", import.meta.url));

function runWithGc(body: string): unknown {
  return runInGcChild(`import { aenter, asyncWith, contextManager, detectLeaks, enter, resource } from ${JSON.stringify(core)};
const warnings = [];
const warn = (message, at) => warnings.push({ name: /a (\\w+) was entered/.exec(message)?.[1], at: typeof at });
${body}
await collect();
console.log(JSON.stringify(warnings));`);
}

it("reports a manager entered by hand and an enter() value that were collected without their exit, once each, with where", () => {
  const warnings = runWithGc(`
detectLeaks({ warn });
await (async () => { await resource(() => 1, () => {}, "connection")[aenter](); })();
await (async () => { await enter(resource(() => 1, () => {}, "transaction")); })();`);
  // Finalizers run in whatever order the collector chose.
  expect((warnings as { name: string }[]).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
    { name: "connection", at: "string" },
    { name: "transaction", at: "string" },
  ]);
});

it("reports nothing for blocks that exited, or after it was turned off", () => {
  const warnings = runWithGc(`
const off = detectLeaks({ warn });
await asyncWith(resource(() => 1, () => {}, "exited"), () => {});
await (async () => { const handle = await enter(resource(() => 1, () => {}, "disposed")); handle.ok(); await handle[Symbol.asyncDispose](); })();
off();
await (async () => { await enter(resource(() => 1, () => {}, "untracked")); })();`);
  expect(warnings).toEqual([]);
});

it("gives no false warning over 10,000 blocks mixing success, failure, failed enters and on/off switching; the real leaks among them are reported", () => {
  const warnings = runWithGc(`
const failing = () => { throw new Error("refused"); };
const managers = [
  () => resource(() => 1, () => {}, "ok"),
  () => resource(failing, () => {}, "refusedResource"),
  () => contextManager(async function* refusedGenerator() { throw new Error("refused"); })(),
  () => contextManager(async function* generator() { yield 1; })(),
];
let off = detectLeaks({ warn });
for (let i = 0; i < 10_000; i++) {
  const make = managers[i % managers.length];
  const kind = Math.floor(i / managers.length) % 4;
  if (kind === 0) await asyncWith(make(), () => {}).catch(() => {});
  else if (kind === 1) await asyncWith(make(), () => { throw new Error("block"); }).catch(() => {});
  else if (kind === 2) await (async () => { const h = await enter(make()); h.ok(); await h[Symbol.asyncDispose](); })().catch(() => {});
  else await (async () => { const h = await enter(make()); await h[Symbol.asyncDispose](); })().catch(() => {}); // as \`await using\` without ok()
  if (i % 1000 === 999) { off(); await collect(); off = detectLeaks({ warn }); } // switched off and on again mid-run
}
// Three real leaks while on: each reported, once.
await (async () => { await resource(() => 1, () => {}, "leakedResource")[aenter](); })();
await (async () => { await contextManager(async function* leakedGenerator() { yield 1; })()[aenter](); })();
await (async () => { await enter(resource(() => 1, () => {}, "leakedHandle")); })();`);
  expect((warnings as { name: string }[]).map((w) => w.name).sort()).toEqual([
    "leakedGenerator",
    "leakedHandle",
    "leakedResource",
  ]);
});

it("refuses a warn that is not a function when turned on, and a warn that throws never ends the process", () => {
  const outcome = runInGcChild(`import { detectLeaks, enter, resource } from ${JSON.stringify(core)};
const refused = [];
for (const options of [{ warn: 5 }, 5]) try { detectLeaks(options); } catch (e) { refused.push(e.message); }
const reported = [];
console.error = (...args) => reported.push(String(args[0]));
detectLeaks({ warn: () => { throw new Error("logger down"); } });
await (async () => { await enter(resource(() => 1, () => {}, "leaked")); })();
await collect();
console.log(JSON.stringify({ refused, reported, alive: true }));`);
  expect(outcome).toEqual({
    refused: [
      "Expected detectLeaks() options.warn to be a function, got 5",
      "Expected detectLeaks() options to be an object, got 5",
    ],
    reported: ["[asyncwith] detectLeaks()'s warn threw while reporting a leak:"],
    alive: true,
  });
});
