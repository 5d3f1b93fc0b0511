// The adapter's tests, in real headless Chromium: real navigator.locks and IndexedDB.
import { defineConfig } from "vitest/config";
import { chromium } from "../../vitest.browser.ts";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.node.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    browser: chromium(),
    ...reportAs("browser (chromium)"),
  },
});
