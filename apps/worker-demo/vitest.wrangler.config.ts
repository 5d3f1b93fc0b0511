// The app served by `wrangler dev` on 127.0.0.1, checked over real HTTP from Node.
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.dev.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    ...reportAs("worker-demo (wrangler dev)"),
  },
});
