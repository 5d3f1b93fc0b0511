// Node side: the package imports without touching a browser global (SSR), and its size budget.
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.node.test.ts"],
    setupFiles: ["test/setup.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.test.json" },
    ...reportAs("browser (node 20)"),
  },
});
