// The page's check: Vite builds and serves it, Playwright drives real headless Chromium (Debian's).
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    ...reportAs("browser-demo (chromium)"),
  },
});
