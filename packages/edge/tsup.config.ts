import { defineConfig } from "tsup";

export default defineConfig([
  // ESM: one file per module, so a bundler drops what a Worker does not import.
  { entry: ["src/*.ts"], format: ["esm"], bundle: false, dts: { entry: ["src/index.ts", "src/hono.ts"] }, clean: true, target: "es2022", sourcemap: true },
  // CJS: one bundled file per entry.
  { entry: ["src/index.ts", "src/hono.ts"], format: ["cjs"], dts: true, target: "es2022", sourcemap: true, external: ["hono"] },
]);
