// What both consumer lanes share: the packages packed as they would be published, fresh projects,
// a TypeScript run over a written tsconfig, and running an example in its runtime (Node, Chromium,
// workerd). consumers.test.ts pins every version; unpinned.test.ts takes what npm hands out today.
import { execFileSync, spawnSync } from "node:child_process";
import { buildSync } from "esbuild";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright";
import { chromiumArgs, chromiumPath } from "../../vitest.browser.ts";
import { extract, readmes } from "./examples.mjs";

export const root = new URL("../../", import.meta.url);
export const repo = fileURLToPath(root);
export const packages = ["core", "node", "browser", "edge", "otel", "postgres"];

export interface Example {
  name: string;
  runtime: "node" | "pglite" | "browser" | "workerd";
  runs: boolean;
  code: string;
}
export const extracted = Object.entries(readmes).map(([readme, file]) => ({
  readme,
  ...(extract(root, readme, file) as { prelude?: string; examples: Example[] }),
}));

/** Packs every published package into `<dir>/packed`; returns `{ "@asyncwith/x": "file:./packed/…tgz" }`. */
export function packAll(dir: string): Record<string, string> {
  const packed = join(dir, "packed");
  mkdirSync(packed, { recursive: true });
  for (const name of packages)
    execFileSync("pnpm", ["pack", "--pack-destination", packed], {
      cwd: join(repo, "packages", name),
      stdio: "ignore",
    });
  return Object.fromEntries(
    readdirSync(packed).map((file) => [
      `@asyncwith/${file.replace(/^asyncwith-(\w+)-.*$/, "$1")}`,
      `file:./packed/${file}`,
    ]),
  );
}

/** A version the repository pins, from a package.json's devDependencies ("." is the root). */
export const pinned = (dir: string, dep: string): string =>
  JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8")).devDependencies[dep];

export const freshDir = (prefix: string) => mkdtempSync(join(tmpdir(), `asyncwith-${prefix}-`));

/** Writes a README's prelude and examples into `<project>/examples`, each a module as pasted. */
export function writeExamples(project: string, readme: (typeof extracted)[number]): void {
  const dir = join(project, "examples");
  mkdirSync(dir, { recursive: true });
  if (readme.prelude) writeFileSync(join(dir, `${readme.readme}-prelude.ts`), readme.prelude);
  for (const example of readme.examples) writeFileSync(join(dir, `${example.name}.ts`), example.code);
}

/** Runs a `tsc` (its bin path) over a tsconfig written for it; the compiler's output, or "" when clean. */
export function tsc(project: string, bin: string, name: string, config: object): string {
  const file = join(project, `tsconfig.${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  const result = spawnSync(process.execPath, [bin, "-p", file], { cwd: project, encoding: "utf8" });
  return result.status === 0 ? "" : `${result.stdout}${result.stderr}`;
}

/** Runs a compiled Node example in a scratch directory (examples write files); its exit status and stderr. */
export function runInNode(script: string, node = process.execPath) {
  const cwd = freshDir("example");
  const run = spawnSync(node, [script], { cwd, encoding: "utf8", timeout: 90_000 }); // PGlite starts a WASM instance
  return { status: run.status, stderr: run.stderr };
}

/** Bundles an example (with its prelude) for the browser (an HTML page) or workerd (a module). */
export function bundle(project: string, name: string, runtime: "browser" | "workerd"): string {
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
  // The repository's esbuild: bundling stands in for the user's Vite or wrangler, not under test here.
  buildSync({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    outfile,
    target: "es2022",
    absWorkingDir: project,
    logLevel: "error",
    ...(runtime === "workerd"
      ? { platform: "neutral", external: ["cloudflare:workers"], mainFields: ["module", "main"] }
      : {}),
  });
  if (runtime === "browser") {
    const report = `addEventListener("error", (e) => (globalThis.outcome = String(e.error?.stack ?? e.message))); addEventListener("unhandledrejection", (e) => (globalThis.outcome = String(e.reason?.stack ?? e.reason)));`;
    writeFileSync(
      join(dir, `${name}.html`),
      `<!doctype html><script>${report}</script><script type="module" src="./${name}.js"></script>`,
    );
  }
  return readFileSync(outfile, "utf8");
}

/** Real headless Chromium and a static server for `<project>/bundles` on 127.0.0.1 (a secure context, as Web Locks need). */
export async function openChromium(project: string) {
  const serve = await staticServer(join(project, "bundles"));
  const { chromium } = await import("playwright");
  const browser: Browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: chromiumArgs,
  });
  return {
    /** Loads a bundled example's page; what it ended with ("ok" or the error) and any page errors. */
    async run(name: string) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(String(error)));
      await page.goto(`${serve.url}/${name}.html`);
      const outcome = await page.waitForFunction(() => (globalThis as { outcome?: string }).outcome, undefined, {
        timeout: 30_000,
      });
      const result = { outcome: await outcome.jsonValue(), errors };
      await page.close();
      return result;
    },
    async close() {
      await browser.close();
      serve.close();
    },
  };
}

/** Runs a bundled workerd example in Miniflare (real workerd); its status and body for GET /cart. */
export async function runInWorkerd(project: string, name: string, script: string) {
  const { Miniflare } = createRequire(join(repo, "packages/edge/package.json"))("miniflare");
  const source = readFileSync(join(project, "examples", `${name}.ts`), "utf8");
  const lock = /export \{ DurableLock \}/.test(source);
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
    return { got: [response.status, await response.text()], expected: [200, lock ? "checked out /cart" : "1"] };
  } finally {
    await mf.dispose();
  }
}

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
