// What a newcomer gets, checked on every `npm test`: the four packages packed as they would be
// published, installed from the tarballs into a fresh project, then
//   1. every README example type-checked (TypeScript 5.2 and current) and run in its runtime:
//      Node, Chromium, workerd;
//   2. a small consumer of each package type-checked under the configurations people use.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumPath } from "../../vitest.browser.ts";
import { extract, readmes } from "./examples.mjs";

const root = new URL("../../", import.meta.url);
const repo = fileURLToPath(root);
const packages = ["core", "node", "browser", "edge", "otel", "postgres"];
const fixtures = [...packages, "edge-hono"];
const project = mkdtempSync(join(tmpdir(), "asyncwith-consumer-"));
const typescripts = { "5.2": "typescript-5.2", "5.9": "typescript" } as const;
const extracted = Object.entries(readmes).map(([readme, file]) => ({ readme, ...extract(root, readme, file) }));
const examples = extracted.flatMap((r) => r.examples);

beforeAll(() => {
  const packed = join(project, "packed");
  mkdirSync(packed);
  for (const name of packages)
    execFileSync("pnpm", ["pack", "--pack-destination", packed], {
      cwd: join(repo, "packages", name),
      stdio: "ignore",
    });
  const version = (dir: string, dep: string) =>
    JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8")).devDependencies[dep];
  const tarballs = Object.fromEntries(
    readdirSync(packed).map((file) => [
      `@asyncwith/${file.replace(/^asyncwith-(\w+)-.*$/, "$1")}`,
      `file:./packed/${file}`,
    ]),
  );
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify(
      {
        private: true,
        type: "module",
        dependencies: {
          ...tarballs,
          typescript: version(".", "typescript"),
          "typescript-5.2": "npm:typescript@5.2.2",
          "@types/node": version(".", "@types/node"),
          "@cloudflare/workers-types": version("packages/edge", "@cloudflare/workers-types"),
          hono: version("packages/edge", "hono"),
          esbuild: version(".", "esbuild"),
          "@opentelemetry/api": version("packages/otel", "@opentelemetry/api"),
          "@electric-sql/pglite": version("packages/postgres", "@electric-sql/pglite"),
          "@opentelemetry/sdk-trace-base": version("packages/otel", "@opentelemetry/sdk-trace-base"),
          "@opentelemetry/context-async-hooks": version("packages/otel", "@opentelemetry/context-async-hooks"),
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
  // The examples, each a module as pasted, next to its README's prelude.
  const dir = join(project, "examples");
  mkdirSync(dir);
  for (const { readme, prelude, examples } of extracted) {
    if (prelude) writeFileSync(join(dir, `${readme}-prelude.ts`), prelude);
    for (const example of examples) writeFileSync(join(dir, `${example.name}.ts`), example.code);
  }
}, 300_000);

/** Runs one TypeScript over a tsconfig written for it; the compiler's output, or "" when clean. */
function tsc(version: keyof typeof typescripts, name: string, config: object): string {
  const file = join(project, `tsconfig.${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  const bin = join(project, "node_modules", typescripts[version], "bin", "tsc");
  const result = spawnSync(process.execPath, [bin, "-p", file], { cwd: project, encoding: "utf8" });
  return result.status === 0 ? "" : `${result.stdout}${result.stderr}`;
}

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
  for (const version of Object.keys(typescripts) as (keyof typeof typescripts)[]) {
    for (const runtime of ["node", "pglite", "browser", "workerd"] as const) {
      const files = examples.filter((e) => e.runtime === runtime).map((e) => `examples/${e.name}.ts`);
      it(`every ${runtime} example type-checks with TypeScript ${version}`, () => {
        expect(files.length).toBeGreaterThan(0);
        const outDir = `out-${runtime}-${version}`;
        const config = {
          compilerOptions: {
            ...strict,
            ...libs[runtime],
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
      const cwd = mkdtempSync(join(tmpdir(), "asyncwith-example-")); // examples write files like report.json
      const run = spawnSync(process.execPath, [script], { cwd, encoding: "utf8", timeout: 90_000 }); // PGlite starts a WASM instance: slow on a loaded machine
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    });
  }

  describe("in Chromium", () => {
    const browserExamples = examples.filter((e) => e.runtime === "browser");
    let serve: { url: string; close(): void } | undefined;
    let browser: import("playwright").Browser | undefined;
    beforeAll(async () => {
      serve = await staticServer(join(project, "bundles"));
      const { chromium } = await import("playwright");
      browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      serve?.close();
    });
    for (const example of browserExamples) {
      it(`${example.name} runs in Chromium`, async () => {
        bundle(example.name, "browser");
        const page = await browser!.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(String(error)));
        await page.goto(`${serve!.url}/${example.name}.html`);
        const outcome = await page.waitForFunction(() => (globalThis as { outcome?: string }).outcome, undefined, {
          timeout: 30_000,
        });
        expect({ outcome: await outcome.jsonValue(), errors }).toEqual({ outcome: "ok", errors: [] });
        await page.close();
      });
    }
  });

  describe("in workerd", () => {
    for (const example of examples.filter((e) => e.runtime === "workerd")) {
      it(`${example.name} runs in workerd`, async () => {
        const script = bundle(example.name, "workerd");
        const { Miniflare } = createRequire(join(repo, "packages/edge/package.json"))("miniflare");
        const exports = readFileSync(join(project, "examples", `${example.name}.ts`), "utf8");
        const lock = /export \{ DurableLock \}/.test(exports);
        const mf = new Miniflare({
          modules: true,
          script,
          compatibilityDate: "2025-09-01",
          durableObjects: lock
            ? { LOCKS: { className: "DurableLock", useSQLite: true } }
            : { OBJECT: { className: "Counter", useSQLite: true } },
          analyticsEngineDatasets: { AUDIT: { dataset: "audit" } },
        });
        try {
          const response = await mf.dispatchFetch("http://example.test/cart");
          expect([response.status, await response.text()]).toEqual([200, lock ? "checked out /cart" : "1"]);
        } finally {
          await mf.dispose();
        }
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
  for (const version of Object.keys(typescripts) as (keyof typeof typescripts)[]) {
    for (const [resolution, { dir, ...options }] of Object.entries(resolutions)) {
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

/** Bundles an example (with its prelude) for the browser (an HTML page) or workerd (a module). */
function bundle(name: string, runtime: "browser" | "workerd"): string {
  const dir = join(project, "bundles");
  mkdirSync(dir, { recursive: true });
  const entry = join(project, "examples", `${name}-entry.ts`);
  writeFileSync(
    entry,
    runtime === "browser"
      ? `import "./${name}.ts";\n(globalThis as any).outcome = "ok";\n`
      : `export * from "./${name}.ts";\nimport * as example from "./${name}.ts";\nexport default { fetch: (request: Request, env: any, ctx: any) => (example as any).default ? (example as any).default.fetch(request, env, ctx) : env.OBJECT.get(env.OBJECT.idFromName("x")).increment().then((n: number) => new Response(String(n))) };\n`,
  );
  const outfile = join(dir, `${name}.js`);
  const esbuild = join(project, "node_modules", ".bin", "esbuild");
  execFileSync(
    esbuild,
    [
      entry,
      "--bundle",
      "--format=esm",
      `--outfile=${outfile}`,
      "--target=es2022",
      ...(runtime === "workerd"
        ? ["--platform=neutral", "--external:cloudflare:workers", "--main-fields=module,main"]
        : []),
    ],
    { cwd: project, stdio: "pipe" },
  );
  if (runtime === "browser") {
    const report = `addEventListener("error", (e) => (globalThis.outcome = String(e.error?.stack ?? e.message))); addEventListener("unhandledrejection", (e) => (globalThis.outcome = String(e.reason?.stack ?? e.reason)));`;
    writeFileSync(
      join(dir, `${name}.html`),
      `<!doctype html><script>${report}</script><script type="module" src="./${name}.js"></script>`,
    );
  }
  return readFileSync(outfile, "utf8");
}

/** Serves a directory on 127.0.0.1 (a secure context, as Web Locks need). */
function staticServer(dir: string): Promise<{ url: string; close(): void }> {
  mkdirSync(dir, { recursive: true });
  const server = createServer((request, response) => {
    const file = join(dir, new URL(request.url!, "http://x").pathname);
    if (!existsSync(file)) return response.writeHead(404).end();
    response
      .writeHead(200, { "content-type": file.endsWith(".html") ? "text/html" : "text/javascript" })
      .end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}
