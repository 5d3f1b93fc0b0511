// What a newcomer gets, checked on every `npm test`, with every version pinned: the packages packed
// as they would be published, installed from the tarballs into a fresh project, then
//   1. every README example type-checked (TypeScript 5.2, 5.9 and 7) and run in its runtime:
//      Node, Chromium, workerd;
//   2. a small consumer of each package type-checked under the configurations people use.
// unpinned.test.ts does the same from each README's install line, with what npm hands out today.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundle,
  extracted,
  freshDir,
  openChromium,
  packAll,
  pinned,
  runInNode,
  runInWorkerd,
  tsc as runTsc,
  writeExamples,
} from "./harness.ts";

const fixtures = ["core", "node", "browser", "edge", "otel", "postgres", "edge-hono"];
const project = freshDir("consumer");
// 5.2 is the floor (`await using`); 7 is what `npm install typescript` gives today.
// Each version and the package it is installed as (below).
const typescripts = new Map([
  ["5.2", "typescript-5.2"],
  ["5.9", "typescript"],
  ["7", "typescript-7"],
]);
type Version = string;
const versions = [...typescripts.keys()];
const examples = extracted.flatMap((r) => r.examples);
const tsc = (version: Version, name: string, config: object) =>
  runTsc(project, join(project, "node_modules", typescripts.get(version)!, "bin", "tsc"), name, config);

beforeAll(() => {
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify(
      {
        private: true,
        type: "module",
        dependencies: {
          ...packAll(project),
          typescript: pinned(".", "typescript"),
          "typescript-5.2": "npm:typescript@5.2.2",
          "typescript-7": "npm:typescript@7.0.2",
          "@types/node": pinned(".", "@types/node"),
          "@cloudflare/workers-types": pinned("packages/edge", "@cloudflare/workers-types"),
          hono: pinned("packages/edge", "hono"),
          "@opentelemetry/api": pinned("packages/otel", "@opentelemetry/api"),
          "@electric-sql/pglite": pinned("packages/postgres", "@electric-sql/pglite"),
          "@opentelemetry/sdk-trace-base": pinned("packages/otel", "@opentelemetry/sdk-trace-base"),
          "@opentelemetry/context-async-hooks": pinned("packages/otel", "@opentelemetry/context-async-hooks"),
        },
      },
      null,
      2,
    ),
  );
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project, stdio: "inherit" });
  // The consumer files, once as ES modules and once in a CommonJS package.
  for (const [dir, type] of [
    ["esm", "module"],
    ["cjs", "commonjs"],
  ]) {
    mkdirSync(join(project, dir));
    writeFileSync(join(project, dir, "package.json"), JSON.stringify({ type }));
    for (const name of fixtures)
      writeFileSync(join(project, dir, `${name}.ts`), readFileSync(new URL(`./fixtures/${name}.ts`, import.meta.url)));
  }
  for (const readme of extracted) writeExamples(project, readme);
}, 300_000);

const strict = {
  strict: true,
  skipLibCheck: false,
  target: "ES2022",
  noEmitOnError: false,
  allowImportingTsExtensions: false,
};
const libs = {
  node: { lib: ["ES2022", "ESNext.Disposable"], types: ["node"], module: "NodeNext", moduleResolution: "NodeNext" },
  browser: { lib: ["ES2022", "ESNext.Disposable", "DOM"], types: [], module: "ESNext", moduleResolution: "Bundler" },
  workerd: {
    lib: ["ES2022", "ESNext.Disposable"],
    types: ["@cloudflare/workers-types"],
    module: "ESNext",
    moduleResolution: "Bundler",
  },
  // PGlite's own declarations name browser and Emscripten types: its users need these two.
  pglite: {
    lib: ["ES2022", "ESNext.Disposable", "DOM"],
    types: ["node"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    skipLibCheck: true,
  },
};

describe("README examples, against the packed packages", () => {
  for (const version of versions) {
    for (const runtime of ["node", "pglite", "browser", "workerd"] as const) {
      const files = examples.filter((e) => e.runtime === runtime).map((e) => `examples/${e.name}.ts`);
      it(`every ${runtime} example type-checks with TypeScript ${version}`, () => {
        expect(files.length).toBeGreaterThan(0);
        const outDir = `out-${runtime}-${version}`;
        const config = {
          compilerOptions: {
            ...strict,
            ...libs[runtime],
            rootDir: "examples", // TypeScript 7 wants it named along with outDir (TS5011)
            outDir,
            noEmit: runtime === "browser" || runtime === "workerd",
          },
          files,
        };
        expect(tsc(version, `examples-${runtime}-${version}`, config)).toBe("");
      });
    }
  }

  for (const example of examples.filter((e) => e.runtime === "node" || e.runtime === "pglite")) {
    it(`${example.name} runs in Node ${process.versions.node.split(".")[0]}${example.runs ? "" : " (type-checked only: it says why)"}`, () => {
      if (!example.runs) return expect(example.code).toMatch(/\/\/ Not run by the README test: \w/);
      const script = join(project, `out-${example.runtime}-5.9`, `${example.name}.js`);
      expect(existsSync(script)).toBe(true);
      expect(runInNode(script)).toEqual({ status: 0, stderr: "" });
    });
  }

  describe("in Chromium", () => {
    let chromium: Awaited<ReturnType<typeof openChromium>> | undefined;
    beforeAll(async () => void (chromium = await openChromium(project)), 60_000);
    afterAll(() => chromium?.close());
    for (const example of examples.filter((e) => e.runtime === "browser")) {
      it(`${example.name} runs in Chromium${example.runs ? "" : " (type-checked only: it says why)"}`, async () => {
        if (!example.runs) return expect(example.code).toMatch(/\/\/ Not run by the README test: \w/);
        bundle(project, example.name, "browser");
        expect(await chromium!.run(example.name)).toEqual({ outcome: "ok", errors: [] });
      });
    }
  });

  describe("in workerd", () => {
    for (const example of examples.filter((e) => e.runtime === "workerd")) {
      it(`${example.name} runs in workerd${example.runs ? "" : " (type-checked only: it says why)"}`, async () => {
        if (!example.runs) return expect(example.code).toMatch(/\/\/ Not run by the README test: \w/);
        const { got, expected } = await runInWorkerd(project, example.name, bundle(project, example.name, "workerd"));
        expect(got).toEqual(expected);
      }, 60_000);
    }
  });
});

describe("consumer matrix: each package's typical use, type-checked with skipLibCheck: false", () => {
  const resolutions = {
    "nodenext (ESM)": { dir: "esm", module: "NodeNext", moduleResolution: "NodeNext" },
    "nodenext (CJS)": { dir: "cjs", module: "NodeNext", moduleResolution: "NodeNext" },
    bundler: { dir: "esm", module: "ESNext", moduleResolution: "Bundler" },
    node10: { dir: "cjs", module: "CommonJS", moduleResolution: "Node10" },
  };
  // Which packages each environment can use: core everywhere, each adapter where its runtime is.
  const environments = {
    'lib ["ES2022"] alone': { lib: ["ES2022"], types: [], packages: ["core"] },
    'lib ["ES2022", "DOM"]': { lib: ["ES2022", "DOM"], types: [], packages: ["core", "browser"] },
    "@types/node": { lib: ["ES2022"], types: ["node"], packages: ["core", "node", "otel", "postgres"] },
    "@cloudflare/workers-types": { lib: ["ES2022"], types: ["@cloudflare/workers-types"], packages: ["core", "edge"] },
  };
  for (const version of versions) {
    for (const [resolution, { dir, ...options }] of Object.entries(resolutions)) {
      // TypeScript 7 removed moduleResolution node10 (TS5108): a user on 7 cannot choose it.
      if (version === "7" && resolution === "node10") continue;
      for (const [environment, { packages: used, ...libs }] of Object.entries(environments)) {
        // Hono's own types need TypeScript >= 5.7 (generic Uint8Array): its subpath is checked there.
        const files = used.includes("edge") && version !== "5.2" ? [...used, "edge-hono"] : used;
        const name = `TypeScript ${version}, ${resolution}, ${environment}: ${files.join(" + ")}`;
        it(name, () => {
          const config = {
            compilerOptions: { ...strict, ...options, ...libs, noEmit: true },
            files: files.map((p) => `${dir}/${p}.ts`),
          };
          expect(tsc(version, name.replace(/\W+/g, "-"), config)).toBe("");
        });
      }
    }
  }
});
