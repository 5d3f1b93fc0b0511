// Extracts the ```ts blocks of the READMEs, as a newcomer would paste them. Conventions (also in the
// root README's "Working on this repository"):
//   ```ts           an example that runs in Node
//   ```ts browser   an example that runs in a browser (Chromium)
//   ```ts workerd   an example that runs in a Cloudflare Worker (workerd)
//   ```ts pglite    runs in Node, type-checked with lib DOM and skipLibCheck (PGlite's own
//                   declarations name browser and Emscripten types)
//   ```ts prelude   the README's stand-ins for names a user supplies (a `db`, an `order`), shown in
//                   a <details> block; an example gets `import { … } from "./prelude.js"` for the
//                   ones it uses and does not declare itself
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
