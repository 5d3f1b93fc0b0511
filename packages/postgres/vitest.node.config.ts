import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.server.test.ts"], // vitest.server.config.ts
    setupFiles: ["test/setup.ts"],
    testTimeout: 30_000,
    ...reportAs(`postgres, PGlite (${runtimeLabel()})`),
  },
});
