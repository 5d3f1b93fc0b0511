// The OpenTelemetry tests that make sense without an async context manager, in real Chromium.
import { defineConfig } from "vitest/config";
import { chromium } from "../../vitest.browser.ts";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.browser.test.ts"],
    setupFiles: ["test/setup.ts"],
    browser: chromium(),
    ...reportAs("otel (chromium)"),
  },
});
