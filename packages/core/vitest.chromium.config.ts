// The core's runtime-agnostic tests, unchanged, inside real headless Chromium.
import { defineConfig } from "vitest/config";
import { chromium } from "../../vitest.browser.ts";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.node.test.ts", "test/**/*.runtimes.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    browser: chromium(),
    ...reportAs("core (chromium)"),
  },
});
