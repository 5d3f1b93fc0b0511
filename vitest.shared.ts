// Shared by every package's vitest config: when `npm test` runs, each runner also writes a JSON
// report into ASYNCWITH_RESULTS_DIR, which scripts/run.mjs adds up into the closing summary line.
import { join } from "node:path";

export function reportAs(name: string) {
  const dir = process.env.ASYNCWITH_RESULTS_DIR;
  if (!dir) return {};
  return { reporters: ["default", "json"], outputFile: { json: join(dir, `${name}.json`) } };
}
