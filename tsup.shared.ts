// The build every published package shares: ESM as one file per module (with "sideEffects": false
// a bundler then drops every module a user does not import), CJS as one bundled file per entry (so
// require() needs no per-file extension rewriting), and .d.ts/.d.cts for both. Neither config cleans:
// `asyncwith-build` (internal/dev) empties dist/ once before both, because a config's `clean` also
// deletes the other config's declarations while they are being written (tsup #1270).
import type { Options } from "tsup";

export function library(entries: string[] = ["src/index.ts"], external: string[] = []): Options[] {
  return [
    {
      entry: ["src/*.ts", "!src/*.d.ts"],
      format: ["esm"],
      bundle: false,
      dts: { entry: entries },
      target: "es2022",
      sourcemap: true,
    },
    { entry: entries, format: ["cjs"], dts: true, target: "es2022", sourcemap: true, external },
  ];
}
