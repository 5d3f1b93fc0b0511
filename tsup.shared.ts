// The build every published package shares: ESM as one file per module (with "sideEffects": false
// a bundler then drops every module a user does not import), CJS as one bundled file per entry (so
// require() needs no per-file extension rewriting), and .d.ts/.d.cts for both.
import type { Options } from "tsup";

export function library(entries: string[] = ["src/index.ts"], external: string[] = []): Options[] {
  return [
    {
      entry: ["src/*.ts", "!src/*.d.ts"],
      format: ["esm"],
      bundle: false,
      dts: { entry: entries },
      clean: true,
      target: "es2022",
      sourcemap: true,
    },
    { entry: entries, format: ["cjs"], dts: true, target: "es2022", sourcemap: true, external },
  ];
}
