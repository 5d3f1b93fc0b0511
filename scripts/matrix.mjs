#!/usr/bin/env node
// `npm run matrix`: writes the runtime matrix of the latest `npm test` into the root README,
// between the matrix markers, with the date and the machine it ran on.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { matrix } from "./lib/matrix.mjs";
import { root } from "./lib/setup.mjs";
import { timingsLine } from "./lib/timings.mjs";

const readme = join(root, "README.md");
const table = matrix(join(root, ".test-results"));
if (!table.includes("/")) {
  console.error("Expected test reports in .test-results/, got none: run `npm test` first.");
  process.exit(1);
}
const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version} (host)`;
const took = timingsLine(join(root, ".test-results"));
const block = `<!-- matrix:start -->\nTests passed / run, per package and runtime — \`npm test\` of ${new Date().toISOString().slice(0, 10)}, ${machine}:\n\n${table}\n${took ? `\n${took}\n` : ""}<!-- matrix:end -->`;
const text = readFileSync(readme, "utf8");
if (!/<!-- matrix:start -->[\s\S]*<!-- matrix:end -->/.test(text)) {
  console.error("Expected <!-- matrix:start --> and <!-- matrix:end --> markers in README.md, got none.");
  process.exit(1);
}
writeFileSync(readme, text.replace(/<!-- matrix:start -->[\s\S]*<!-- matrix:end -->/, block));
console.log(block);
