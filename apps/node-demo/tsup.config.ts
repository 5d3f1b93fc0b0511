import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/main.ts", "src/body-throws.ts", "src/scenarios.ts"],
  format: ["esm"],
  target: "node20",
  clean: true,
});
