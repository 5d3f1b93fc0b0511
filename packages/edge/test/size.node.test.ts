// Size budget (in Node): what the package adds to a Worker's bundle beyond @asyncwith/core, min+gzip.
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { expect, it } from "vitest";

const BUDGET = 2048;

it(`the whole package adds at most ${BUDGET} bytes min+gzip beyond core`, async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const entry = (name: string) => JSON.stringify(join(here, "..", "dist", `${name}.js`));
  const result = await build({
    stdin: { contents: `export * from ${entry("index")}; export * from ${entry("hono")};`, resolveDir: here },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    external: ["@asyncwith/core", "hono"],
    write: false,
    logLevel: "silent",
  });
  const bytes = gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
  console.log(`@asyncwith/edge beyond core: ${bytes} bytes min+gzip (budget ${BUDGET})`);
  expect(bytes).toBeLessThanOrEqual(BUDGET);
  expect(bytes).toBeGreaterThan(500);
});
