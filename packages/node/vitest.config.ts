import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

const major = process.versions.node.split(".")[0];

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.test.json" },
    ...reportAs(`node (node ${major})`),
  },
});
