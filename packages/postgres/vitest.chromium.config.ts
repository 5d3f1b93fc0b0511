// The shared suites on PGlite in real Chromium: PGlite runs in browsers too, and so does this
// package (it imports nothing of Node).
import { defineConfig } from "vitest/config";
import { chromium } from "../../vitest.browser.ts";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/transaction.test.ts", "test/advisory-lock.test.ts", "test/conformance.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One worker, one PGlite for every file (test/suites/pglite.ts): a WASM start per file was the
    // slowest set-up of the whole run on a loaded machine.
    isolate: false,
    fileParallelism: false,
    browser: chromium(),
    ...reportAs("postgres, PGlite (chromium)"),
  },
});
