// The newcomer's view (scripts/consumers/consumers.test.ts), run by `npm test` after the build.
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["consumers.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    ...reportAs("consumers (node 20)"),
  },
});
