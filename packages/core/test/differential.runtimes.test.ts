// Differential test: the same generated programs run through native `await using` and
// AsyncDisposableStack on Node 24, and through AsyncExitStack's TC39 methods (on Node 24, under
// native `await using` too, and on this Node). The outcomes must be identical.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const runner = fileURLToPath(new URL("./differential/runner.mjs", import.meta.url));

function node24(): string {
  if (process.env.NODE24_PATH) return process.env.NODE24_PATH;
  const tools = fileURLToPath(new URL("../../../.tools", import.meta.url));
  const dir = existsSync(tools) ? readdirSync(tools).find((d) => d.startsWith("node-24")) : undefined;
  const binary = dir && join(tools, dir, "node_modules", "node", "bin", "node");
  if (binary && existsSync(binary)) return binary;
  throw new Error(
    "Expected Node 24 for the differential test, got none: run `npm test` from the repository root (it installs Node 24 into .tools/), or set NODE24_PATH to a Node >= 24 binary.",
  );
}

const thrown = fc.constantFrom("error", "error", "string", "undefined");
const exit = fc.record({ exit: fc.constantFrom("ok", "throw"), thrown, delay: fc.boolean(), plain: fc.boolean() });
const op = fc.oneof(
  {
    arbitrary: fc
      .record({
        t: fc.constant("use"),
        res: fc.constantFrom("async", "async", "sync", "fallback", "function", "null", "undefined"),
      })
      .chain((o) => exit.map((e) => ({ ...o, ...e }))),
    weight: 4,
  },
  { arbitrary: exit.map((e) => ({ t: "adopt", ...e })), weight: 2 },
  { arbitrary: exit.map((e) => ({ t: "defer", ...e })), weight: 3 },
  { arbitrary: fc.constant({ t: "move" }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant("bad"),
      method: fc.constantFrom("use", "defer", "adopt"),
      value: fc.constantFrom(42, "x", true),
    }),
    weight: 1,
  },
);
const end = fc.oneof(
  fc.record({ kind: fc.constant("disposeAsync"), twice: fc.boolean() }),
  fc.record({ kind: fc.constant("awaitUsing"), body: fc.option(thrown, { freq: 2 }) }),
);
const programs = fc.sample(fc.record({ ops: fc.array(op, { maxLength: 7 }), end }), { numRuns: 400, seed: 20261124 });

type Outcome = { log: string[]; result: unknown } | null;

function run(binary: string, impl: string): Outcome[] {
  const dir = mkdtempSync(join(tmpdir(), "asyncwith-diff-"));
  const file = join(dir, "programs.json");
  writeFileSync(file, JSON.stringify(programs));
  return JSON.parse(execFileSync(binary, [runner, file, impl], { encoding: "utf8", maxBuffer: 1 << 28 }));
}

describe("AsyncExitStack against native AsyncDisposableStack and await using (Node 24)", () => {
  const binary = node24();
  const native = run(binary, "native");

  it("really ran natively on Node 24, with errors combined and suppressed", () => {
    expect(execFileSync(binary, ["--version"], { encoding: "utf8" })).toMatch(/^v2[4-9]\./);
    expect(native.every((o) => o !== null)).toBe(true);
    const shapes = JSON.stringify(native.map((o) => o!.result));
    expect(shapes).toContain("An error was suppressed during disposal");
    expect(native.filter((o) => o!.result !== "ok").length).toBeGreaterThan(50);
  });

  it("gives identical outcomes on Node 24, under native await using too", () => {
    const ours = run(binary, "asyncwith");
    for (let i = 0; i < programs.length; i++)
      expect({ program: programs[i], outcome: ours[i] }).toEqual({ program: programs[i], outcome: native[i] });
  });

  it(`gives identical outcomes on this Node (${process.version}) for the programs it can parse`, () => {
    const ours = run(process.execPath, "asyncwith");
    const comparable = ours.flatMap((o, i) => (o ? [i] : []));
    expect(comparable.length).toBeGreaterThan(150);
    for (const i of comparable)
      expect({ program: programs[i], outcome: ours[i] }).toEqual({ program: programs[i], outcome: native[i] });
  });
});
