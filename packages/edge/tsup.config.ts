import { defineConfig } from "tsup";
import { library } from "../../tsup.shared.ts";

// Two entries: the package and its optional Hono middleware (`@asyncwith/edge/hono`).
export default defineConfig(library(["src/index.ts", "src/hono.ts"], ["hono"]));
