import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "../../test-setup/guard.test.ts"],
    exclude: ["test/**/*.runtimes.test.ts"], // they drive other runtimes: vitest.runtimes.config.ts
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.test.json" },
    ...reportAs(`core (${runtimeLabel()})`),
  },
});
