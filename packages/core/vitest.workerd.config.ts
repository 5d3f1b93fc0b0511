// The core's runtime-agnostic tests, unchanged, inside real workerd (Cloudflare's runtime).
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { agnostic } from "./vitest.agnostic.ts";

export default defineConfig({
  plugins: [cloudflareTest({ miniflare: { compatibilityDate: "2026-04-01", compatibilityFlags: ["nodejs_compat"] } })],
  test: agnostic("workerd"),
});
