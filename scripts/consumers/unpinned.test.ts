// A newcomer on the versions npm hands out today: for each README, a fresh project that runs the
// README's own `npm install` lines exactly as written (nothing pinned; only `@asyncwith/*` comes
// from the packed tarballs, since this tree is not published), then the root README's quick start
// for each runtime its examples need (its dev install line, package.json and tsconfig, parsed from
// the table), type-checks the examples with the TypeScript that gave, and runs them: Node examples
// in Node 22 (the other LTS), browser ones in Chromium, Worker ones in workerd.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installLines, quickStart, readmes } from "./examples.mjs";
import {
  bundle,
  extracted,
  freshDir,
  openChromium,
  packAll,
  root,
  runInNode,
  runInWorkerd,
  tsc,
  writeExamples,
} from "./harness.ts";

const start = quickStart(root) as Record<
  "node" | "browser" | "workerd",
  { install: string; packageJson: object; compilerOptions: object }
>;
const configFor = { node: "node", pglite: "node", browser: "browser", workerd: "workerd" } as const;
const node22 = process.env.NODE22_PATH;
const packed = freshDir("packed");
let tarballs: Record<string, string> = {};
beforeAll(() => void (tarballs = packAll(packed)), 120_000);

/** `npm install a b c` with each `@asyncwith/x` swapped for its tarball; every other word as written. */
function npmInstall(line: string, cwd: string): void {
  const words = line.split(/\s+/).slice(2);
  const args = words.map((word) => {
    if (!word.startsWith("@asyncwith/")) return word;
    const tarball = tarballs[word];
    if (!tarball) throw new Error(`Expected ${word} to be a package of this repository, got no tarball for it`);
    copyFileSync(join(packed, tarball.replace("file:./", "")), join(cwd, tarball.replace("file:./packed/", "")));
    return `./${tarball.replace("file:./packed/", "")}`;
  });
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...args], {
    cwd,
    stdio: ["ignore", "inherit", "pipe"],
  });
}

describe.each(extracted.map((r) => [r.readme, r] as const))("%s README, installed as written", (readme, entry) => {
  const project = freshDir(`newcomer-${readme}`);
  const file = readmes[readme as keyof typeof readmes];
  const lines = installLines(root, file);
  const runtimes = [...new Set(entry.examples.map((e) => configFor[e.runtime]))];

  it(`its install lines (${lines.join("; ") || "none"}) and the quick start's dev lines succeed`, () => {
    expect(lines.length, `${file} has no npm install line`).toBeGreaterThan(0);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: `newcomer-${readme}`, private: true, ...start.node.packageJson }, null, 2),
    );
    for (const line of lines) npmInstall(line, project);
    for (const runtime of runtimes) npmInstall(start[runtime].install, project);
    writeExamples(project, entry);
  }, 300_000);

  for (const runtime of runtimes) {
    const examples = entry.examples.filter((e) => configFor[e.runtime] === runtime);
    it(`its ${runtime} examples type-check with the quick start's ${runtime} tsconfig and today's TypeScript`, () => {
      const bin = join(project, "node_modules", "typescript", "bin", "tsc");
      expect(existsSync(bin), "the quick start's dev line installs TypeScript").toBe(true);
      const config = {
        // Where the compiled examples go: TypeScript 7 wants rootDir named along with outDir (TS5011).
        compilerOptions: {
          ...start[runtime].compilerOptions,
          rootDir: "examples",
          outDir: `out-${runtime}`,
          noEmit: runtime !== "node",
        },
        files: examples.map((e) => `examples/${e.name}.ts`),
      };
      expect(tsc(project, bin, `quick-start-${runtime}`, config)).toBe("");
    }, 120_000);
  }

  for (const example of entry.examples.filter((e) => configFor[e.runtime] === "node" && e.runs)) {
    it(`${example.name} runs in Node 22`, () => {
      expect(node22, "NODE22_PATH: npm test installs Node 22 into .tools/").toBeTruthy();
      const script = join(project, "out-node", `${example.name}.js`);
      expect(existsSync(script)).toBe(true);
      expect(runInNode(script, node22)).toEqual({ status: 0, stderr: "" });
    }, 120_000);
  }

  const browserExamples = entry.examples.filter((e) => e.runtime === "browser" && e.runs);
  if (browserExamples.length) {
    describe("in Chromium", () => {
      let chromium: Awaited<ReturnType<typeof openChromium>> | undefined;
      beforeAll(async () => void (chromium = await openChromium(project)), 60_000);
      afterAll(() => chromium?.close());
      for (const example of browserExamples)
        it(`${example.name} runs in Chromium`, async () => {
          bundle(project, example.name, "browser");
          expect(await chromium!.run(example.name)).toEqual({ outcome: "ok", errors: [] });
        });
    });
  }

  for (const example of entry.examples.filter((e) => e.runtime === "workerd" && e.runs)) {
    it(`${example.name} runs in workerd`, async () => {
      const { got, expected } = await runInWorkerd(project, example.name, bundle(project, example.name, "workerd"));
      expect(got).toEqual(expected);
    }, 60_000);
  }
});
