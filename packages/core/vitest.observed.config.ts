// The differential for observation (#21): core's lifecycle suite and property model, run again
// with `observe({})` and `detectLeaks()` active (test/observed.setup.ts). Left out: what is about
// observing itself (observe.test.ts subscribes its own observers; ticks.test.ts measures the
// unwatched path) and what does not run blocks (sizes, other runtimes).
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [
      "test/**/*.runtimes.test.ts",
      "test/observe.test.ts",
      "test/ticks.test.ts",
      "test/size.node.test.ts",
      "test/leaks.node.test.ts",
    ],
    setupFiles: ["test/observed.setup.ts"],
    testTimeout: 60_000,
    ...reportAs("core, observed (node 20)"),
  },
});
