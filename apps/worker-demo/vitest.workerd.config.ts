// The app's checks inside workerd, with the app's own wrangler.jsonc.
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" } })],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.dev.test.ts"],
    testTimeout: 60_000,
    ...reportAs("worker-demo (workerd)"),
  },
});
