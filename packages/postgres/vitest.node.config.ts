import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.server.test.ts"], // vitest.server.config.ts
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000, // PGlite's WASM start, and a cluster's, on a loaded 2-core machine
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.test.json" },
    ...reportAs(`postgres, PGlite (${runtimeLabel()})`),
  },
});
