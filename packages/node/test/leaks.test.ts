// Leak warnings with a real garbage collector: a child Node with --expose-gc.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { scratch } from "./helpers.ts";

const dist = (pkg: string) => fileURLToPath(new URL(`../../${pkg}/dist/index.js`, import.meta.url));

it("detectLeaks(): an entered manager or an enter() value collected without exit gives one warning each (ASYNCWITH_LEAK, with where); exited ones none", () => {
  const script = join(scratch(), "leak.mjs");
  writeFileSync(
    script,
    `
    import { aenter, asyncWith, enter, resource } from ${JSON.stringify(dist("core"))};
    import { detectLeaks, tempDir } from ${JSON.stringify(dist("node"))};
    const warnings = [];
    process.on("warning", (w) => warnings.push({ code: w.code, name: /a (\\w+) was entered/.exec(w.message)?.[1], where: w.detail }));
    detectLeaks();
    async function leakManager() { const m = resource(() => 1, () => {}, "connection"); await m[aenter](); }
    async function leakEnter() { await enter(resource(() => 1, () => {}, "transaction")); }
    async function exitedProperly() {
      await asyncWith(tempDir(), () => {});
      const handle = await enter(resource(() => 1, () => {}, "disposed"));
      await handle[Symbol.asyncDispose]();
    }
    await leakManager();
    await leakEnter();
    await exitedProperly();
    for (let i = 0; i < 50 && warnings.length < 2; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
    await new Promise((r) => setImmediate(r));
    console.log(JSON.stringify(warnings.map((w) => [w.code, w.name, /leakManager|leakEnter/.exec(w.where ?? "")?.[0]]).sort()));
  `,
  );
  const run = spawnSync(process.execPath, ["--expose-gc", script], { encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual([
    ["ASYNCWITH_LEAK", "connection", "leakManager"],
    ["ASYNCWITH_LEAK", "transaction", "leakEnter"],
  ]);
});
