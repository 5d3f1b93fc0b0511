// `asyncwith-build` on a one-line package built with the repository's real tsup config: a dist/
// that lacks a file its package.json names never passes as a build.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { missingFiles } from "../dist-files.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const shared = fileURLToPath(new URL("../../../tsup.shared.ts", import.meta.url));
const bin = fileURLToPath(new URL("../build.mjs", import.meta.url));
const made: string[] = [];
afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A copy of the fixture package inside this folder (so tsup finds TypeScript), with a tsup config. */
function fixture(configs: string): string {
  const dir = mkdtempSync(join(here, "fixture-"));
  made.push(dir);
  cpSync(join(here, "fixture"), dir, { recursive: true });
  writeFileSync(
    join(dir, "tsup.config.ts"),
    `import { defineConfig } from "tsup";\nimport { library } from ${JSON.stringify(shared)};\nexport default defineConfig(${configs});\n`,
  );
  return dir;
}

const build = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8" });

describe("asyncwith-build", () => {
  it("empties dist/ once, builds the shared config with every named file, and a deleted .d.cts then fails the check", () => {
    const dir = fixture("library()");
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "left-over.js"), "");
    const built = build(dir);
    expect(built.status, built.stderr).toBe(0);
    expect(existsSync(join(dir, "dist", "left-over.js"))).toBe(false);
    expect(missingFiles(dir)).toEqual([]);

    unlinkSync(join(dir, "dist", "index.d.cts"));
    const checked = build(dir, "--check");
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain("Expected every file package.json names to exist after the build, got 2 missing");
    expect(checked.stderr).toContain("./dist/index.d.cts  (named by types)");
    expect(checked.stderr).toContain('./dist/index.d.cts  (named by exports["."]["require"]["types"])');
  });

  it("fails a build whose configs do not produce every named file (here: ESM only, no declarations)", () => {
    const dir = fixture("{ ...library()[0], dts: false }");
    const built = build(dir);
    expect(built.status).toBe(1);
    expect(built.stderr).toContain("./dist/index.cjs  (named by main)");
    expect(built.stderr).toContain("./dist/index.d.cts  (named by types)");
    expect(existsSync(join(dir, "dist", "index.js"))).toBe(true);
  });
});
