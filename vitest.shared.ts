// Shared by every package's vitest config: when `npm test` runs, each runner also writes a JSON
// report into ASYNCWITH_RESULTS_DIR, which scripts/run.mjs adds up into the closing summary line.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function reportAs(name: string) {
  const dir = process.env.ASYNCWITH_RESULTS_DIR;
  if (!dir) return {};
  // vitest's JSON report says `success: true` even when an unhandled error (a type error of a test
  // file, a rejection after a test ended) failed the run, so those are written down beside it.
  const unhandled = {
    onTestRunEnd(_modules: unknown, errors: readonly unknown[]) {
      mkdirSync(dir, { recursive: true }); // the JSON reporter may not have made it yet
      writeFileSync(join(dir, `${name}.unhandled`), String(errors.length));
    },
  };
  return { reporters: ["default", "json", unhandled], outputFile: { json: join(dir, `${name}.json`) } };
}

/** The runtime this config is loaded in, for report names: "node 20", "node 24", "bun", "deno". */
export function runtimeLabel(): string {
  const versions =
    (globalThis as { process?: { versions: Record<string, string | undefined> } }).process?.versions ?? {};
  if ((globalThis as { Deno?: unknown }).Deno) return "deno";
  if (versions.bun) return "bun";
  return `node ${versions.node?.split(".")[0]}`;
}

/**
 * Type tests (`*.test-d.ts`) through vitest: it runs `tsc -p tsconfig.test.json` over the whole
 * project (sources and every test file) and reports each `expectTypeOf` test. Its result does not
 * depend on the runtime, so it runs once, on the host Node: scripts/runtime.mjs sets
 * ASYNCWITH_RUNTIME when it runs a config under another runtime.
 */
export function typeTests() {
  return {
    enabled: !process.env.ASYNCWITH_RUNTIME,
    include: ["test/**/*.test-d.ts"],
    tsconfig: "./tsconfig.test.json",
  };
}
