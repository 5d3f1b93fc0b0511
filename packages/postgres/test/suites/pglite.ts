// The embedded backend: PGlite, a real PostgreSQL compiled to WASM, in this process.
import { PGlite } from "@electric-sql/pglite";
import type { Database } from "./database.ts";

export const pglite: Database = {
  name: "PGlite",
  open: () => PGlite.create(), // resolves once the WASM instance is ready: the start belongs to the hook
  close: (db) => (db as PGlite).close(),
};
