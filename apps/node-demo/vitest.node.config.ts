import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    ...reportAs(`node-demo (${runtimeLabel()})`),
  },
});
