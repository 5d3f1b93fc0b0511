// The files a package.json promises to consumers (main, module, types, exports conditions,
// typesVersions, bin), and which of them are missing on disk.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const fields = ["main", "module", "types", "typings", "exports", "typesVersions", "bin"];

/** @returns {{ file: string, field: string }[]} the named files that do not exist, with where they are named */
export function missingFiles(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const named = [];
  for (const field of fields) walk(manifest[field], field, named);
  return named.filter(({ file }) => !existsSync(join(dir, file)));
}

function walk(value, path, out) {
  if (typeof value === "string") {
    // Patterns ("./*") and the manifest itself are not files a build makes.
    if ((value.startsWith("./") || value.startsWith("dist")) && !value.includes("*"))
      out.push({ file: value, field: path });
  } else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) walk(inner, `${path}[${JSON.stringify(key)}]`, out);
  }
}
