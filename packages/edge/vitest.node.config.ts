// Node side of the edge package: its size budget and type tests (the behaviour tests run in workerd).
import { defineConfig } from "vitest/config";
import { reportAs, typeTests } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.node.test.ts"],
    typecheck: typeTests(),
    ...reportAs("edge (node 20)"),
  },
});
