import { defineConfig } from "tsup";

export default defineConfig([
  // ESM: one file per module, so that with "sideEffects": false a bundler drops every module a
  // user does not import (one bundled file would keep every class it defines).
  {
    entry: ["src/*.ts"],
    format: ["esm"],
    bundle: false,
    dts: { entry: "src/index.ts" },
    clean: true,
    target: "es2022",
    sourcemap: true,
  },
  // CJS: one bundled file, so require() needs no per-file extension rewriting.
  {
    entry: ["src/index.ts"],
    format: ["cjs"],
    dts: true,
    target: "es2022",
    sourcemap: true,
  },
]);
