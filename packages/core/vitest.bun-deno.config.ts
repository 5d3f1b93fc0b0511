// The core's runtime-agnostic tests, unchanged, under Bun or Deno: run by `test:runtimes` through
// scripts/runtime.mjs.
import { defineConfig } from "vitest/config";
import { runtimeLabel } from "../../vitest.shared.ts";
import { agnostic } from "./vitest.agnostic.ts";

export default defineConfig({ test: agnostic(runtimeLabel()) });
