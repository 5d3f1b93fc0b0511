// Extracts the ```ts blocks of the READMEs, as a newcomer would paste them. Conventions (also in the
// root README's "Working on this repository"):
//   ```ts           an example that runs in Node
//   ```ts browser   an example that runs in a browser (Chromium)
//   ```ts workerd   an example that runs in a Cloudflare Worker (workerd)
//   ```ts pglite    runs in Node, type-checked with lib DOM and skipLibCheck (PGlite's own
//                   declarations name browser and Emscripten types)
//   ```ts prelude   the README's stand-ins for names a user supplies (a `db`, an `order`), shown in
//                   a <details> block (or, in docs/first-manager.md, the manager step 3 uses); an
//                   example gets `import { … } from "./prelude.js"` for the ones it uses and does
//                   not declare itself
// An example whose first line starts with "// Not run by the README test:" is type-checked only.
import { readFileSync } from "node:fs";

export const readmes = {
  root: "README.md",
  core: "packages/core/README.md",
  node: "packages/node/README.md",
  browser: "packages/browser/README.md",
  edge: "packages/edge/README.md",
  otel: "packages/otel/README.md",
  postgres: "packages/postgres/README.md",
  docs: "docs/first-manager.md", // the docs site's first page (npm run docs)
};

/** @returns {{ prelude?: string, examples: { name: string, runtime: "node" | "pglite" | "browser" | "workerd", runs: boolean, code: string }[] }} */
export function extract(root, readme, file) {
  const text = readFileSync(new URL(file, root), "utf8");
  const blocks = [...text.matchAll(/^```ts([^\n]*)\n([\s\S]*?)^```$/gm)].map(([, info, code]) => ({
    words: info.trim().split(/\s+/).filter(Boolean),
    code,
  }));
  const prelude = blocks.find((b) => b.words.includes("prelude"))?.code;
  const exported = prelude
    ? [...prelude.matchAll(/^export (?:const|let|class|function\*?|async function\*?|interface|type)\s+(\w+)/gm)].map(
        (m) => m[1],
      )
    : [];
  const examples = blocks
    .filter((b) => !b.words.includes("prelude"))
    .map((b, i) => {
      const runtime = b.words.includes("browser")
        ? "browser"
        : b.words.includes("workerd")
          ? "workerd"
          : b.words.includes("pglite")
            ? "pglite"
            : "node";
      const runs = !/^\/\/ Not run by the README test:/.test(b.code);
      const used = exported.filter((name) => new RegExp(`\\b${name}\\b`).test(b.code) && !declares(b.code, name));
      const header = used.length ? `import { ${used.join(", ")} } from "./${readme}-prelude.js";\n` : "";
      return { name: `${readme}-${i + 1}`, runtime, runs, code: `${header}${b.code}\nexport {};\n` };
    });
  return { prelude: prelude && `${prelude}\nexport {};\n`, examples };
}

/** Whether the example declares or imports `name` itself. */
function declares(code, name) {
  return new RegExp(
    `(?:const|let|var|function\\*?|class|interface|type)\\s+${name}\\b|import[^;]*\\b${name}\\b[^;]*from`,
  ).test(code);
}

/** A README's `npm install …` lines (from its ```sh blocks), without their comments. */
export function installLines(root, file) {
  const text = readFileSync(new URL(file, root), "utf8");
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
    .flatMap(([, block]) => block.split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.startsWith("npm install "));
}

/**
 * The root README's quick start, one row per runtime: the dev install line, and what goes into
 * package.json and tsconfig.json's compilerOptions, parsed from the table as a newcomer reads it.
 * @returns {Record<"node" | "browser" | "workerd", { install: string, packageJson: object, compilerOptions: object }>}
 */
export function quickStart(root) {
  const text = readFileSync(new URL("README.md", root), "utf8");
  const section = text.slice(text.indexOf("## Quick start"), text.indexOf("\n## ", text.indexOf("## Quick start") + 1));
  const rows = { node: /^\| Node\b/, browser: /^\| Vite\b/, workerd: /^\| Cloudflare Workers\b/ };
  const code = (cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]).join(", ");
  const object = (cell) => JSON.parse(`{${code(cell)}}`);
  return Object.fromEntries(
    Object.entries(rows).map(([runtime, pattern]) => {
      const line = section.split("\n").find((l) => pattern.test(l));
      if (!line) throw new Error(`Expected a quick start row for ${runtime} in README.md, got none`);
      const [, install, packageJson, compilerOptions] = line.split(" | ");
      return [
        runtime,
        { install: code(install), packageJson: object(packageJson), compilerOptions: object(compilerOptions) },
      ];
    }),
  );
}
