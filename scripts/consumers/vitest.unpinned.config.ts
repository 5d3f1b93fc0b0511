// The newcomer on today's versions (scripts/consumers/unpinned.test.ts), run by `npm test` after the
// pinned lane: each README's install lines exactly as written, nothing pinned.
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["unpinned.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    ...reportAs("consumers, unpinned (node 20)"),
  },
});
