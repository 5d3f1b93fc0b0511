// The embedded backend: PGlite, a real PostgreSQL compiled to WASM, in this process.
// Its start (compiling the WASM, loading the data directory) is the slowest step of the suite, so a
// worker starts one instance and every file it runs shares it: the PGlite configs run their files
// in one worker without isolation (vitest.node.config.ts, vitest.chromium.config.ts). Sharing is
// safe because each suite leaves the session as it found it (temporary tables, locks released).
import { PGlite } from "@electric-sql/pglite";
import type { Database } from "./database.ts";

let started: Promise<PGlite> | undefined;

export const pglite: Database = {
  name: "PGlite",
  open: () => (started ??= PGlite.create()), // resolves once the WASM instance is ready: the start belongs to the hook
  close: async () => {}, // the worker's instance ends with the worker
};
