// The edge adapter's tests, inside real workerd (through @cloudflare/vitest-pool-workers).
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./test/worker.ts",
      miniflare: {
        compatibilityDate: "2026-04-01",
        compatibilityFlags: ["nodejs_compat"],
        durableObjects: {
          STORE: { className: "Store", useSQLite: true },
          LOCKS: { className: "DurableLock", useSQLite: true },
          FORGETFUL_LOCKS: { className: "ForgetfulLock", useSQLite: true },
        },
        d1Databases: ["DB"],
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.node.test.ts"],
    setupFiles: ["test/setup.ts"],
    ...reportAs("edge (workerd)"),
  },
});
