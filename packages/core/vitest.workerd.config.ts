// The core's runtime-agnostic tests, unchanged, inside real workerd (Cloudflare's runtime).
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  plugins: [cloudflareTest({ miniflare: { compatibilityDate: "2026-04-01", compatibilityFlags: ["nodejs_compat"] } })],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.node.test.ts", "test/**/*.runtimes.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    ...reportAs("core (workerd)"),
  },
});
