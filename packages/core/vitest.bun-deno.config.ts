// The core's runtime-agnostic tests, unchanged, under another server runtime (Bun, Deno): run by
// `test:runtimes` through scripts/runtime.mjs. (Chromium and workerd have their own configs.)
import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.node.test.ts", "test/**/*.runtimes.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    ...reportAs(`core (${runtimeLabel()})`),
  },
});
