import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel, typeTests } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "../../test-setup/guard.test.ts"],
    exclude: ["test/**/*.runtimes.test.ts"], // they drive other runtimes: vitest.runtimes.config.ts
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    typecheck: typeTests(),
    ...reportAs(`core (${runtimeLabel()})`),
  },
});
