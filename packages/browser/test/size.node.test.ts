// Size budget: what the package adds to a user's bundle beyond @asyncwith/core, min+gzip.
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { expect, it } from "vitest";

const BUDGET = 2048;

it(`the whole package adds at most ${BUDGET} bytes min+gzip beyond core`, async () => {
  const entry = fileURLToPath(new URL("../dist/index.js", import.meta.url));
  const result = await build({
    stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir: fileURLToPath(new URL(".", import.meta.url)) },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    external: ["@asyncwith/core"],
    write: false,
    logLevel: "silent",
  });
  const bytes = gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
  console.log(`@asyncwith/browser beyond core: ${bytes} bytes min+gzip (budget ${BUDGET})`);
  expect(bytes).toBeLessThanOrEqual(BUDGET);
  expect(bytes).toBeGreaterThan(500); // it measured something real
});
