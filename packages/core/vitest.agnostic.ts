// What every config of the core's runtime-agnostic suite shares: the same tests, unchanged, in
// whichever runtime the config runs them (Chromium, workerd, Bun, Deno). Node-only tests
// (*.node.test.ts) and tests that drive other runtimes (*.runtimes.test.ts) stay on Node.
import { reportAs } from "../../vitest.shared.ts";

export const agnostic = (runtime: string) => ({
  include: ["test/**/*.test.ts"],
  exclude: ["test/**/*.node.test.ts", "test/**/*.runtimes.test.ts"],
  setupFiles: ["test/setup.ts"],
  testTimeout: 60_000,
  ...reportAs(`core (${runtime})`),
});
