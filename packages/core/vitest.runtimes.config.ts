// Tests that run in Node and drive other runtimes as child processes: the differential test
// against native Node 24, and how Bun and Deno print our errors. `test:runtimes` runs them, once
// npm test has installed those runtimes into .tools/.
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.runtimes.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    ...reportAs("core, driving other runtimes (node 20)"),
  },
});
