// Node side: the package imports without touching a browser global (SSR), and its size budget.
import { defineConfig } from "vitest/config";
import { reportAs, typeTests } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.node.test.ts"],
    setupFiles: ["test/setup.ts"],
    typecheck: typeTests(),
    ...reportAs("browser (node 20)"),
  },
});
