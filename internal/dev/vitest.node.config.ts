import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000, // a real tsup build (two configs, declarations through tsc) of a one-line package
    ...reportAs(`dev (${runtimeLabel()})`),
  },
});
