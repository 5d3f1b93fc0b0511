import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.browser.test.ts"],
    setupFiles: ["test/setup.ts"],
    ...reportAs(`otel (${runtimeLabel()})`),
  },
});
