import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel, typeTests } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.server.test.ts"], // vitest.server.config.ts
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000, // PGlite's WASM start, and a cluster's, on a loaded 2-core machine
    // One worker, one PGlite for every file (test/suites/pglite.ts): a WASM start per file was the
    // slowest set-up of the whole run on a loaded machine.
    isolate: false,
    fileParallelism: false,
    typecheck: typeTests(),
    ...reportAs(`postgres, PGlite (${runtimeLabel()})`),
  },
});
