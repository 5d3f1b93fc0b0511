// The tests that need a real PostgreSQL server (several sessions, killed processes), against a
// throw-away cluster that test/server.setup.ts starts and stops.
import { defineConfig } from "vitest/config";
import { reportAs, runtimeLabel } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.server.test.ts"],
    globalSetup: ["test/server.setup.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    ...reportAs(`postgres, PostgreSQL server (${runtimeLabel()})`),
  },
});
