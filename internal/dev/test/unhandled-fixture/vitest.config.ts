import { defineConfig } from "vitest/config";
import { reportAs } from "../../../../vitest.shared.ts";

export default defineConfig({ test: { include: ["*.check.ts"], ...reportAs("fixture") } });
