import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel, typeTests } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    typecheck: typeTests(),
    ...reportAs(`node (${runtimeLabel()})`),
  },
});
