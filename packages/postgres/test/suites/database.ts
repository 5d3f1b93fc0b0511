// What the shared suites run against: one session of a real PostgreSQL, opened once per file
// (a PGlite start is slow) and closed after it. PGlite and a node-postgres Client both fit.
import { afterAll, beforeAll } from "vitest";
import type { Queryable } from "../../src/index.ts";

export interface Database {
  /** The label the suite's `describe` carries: which backend the results are for. */
  name: string;
  open(): Promise<Queryable>;
  close(db: Queryable): Promise<void>;
}

/** The session for this file's tests, opened before them and closed after them. */
export function session(database: Database): () => Queryable {
  let db: Queryable | undefined;
  beforeAll(async () => void (db = await database.open()));
  afterAll(() => db && database.close(db));
  return () => {
    if (!db) throw new Error("Expected the suite's session to be open, got none: is this called inside a test?");
    return db;
  };
}

/** Rows of a query, typed by the caller: PGlite and pg differ only in their result types. */
export const rows = async <R>(db: Queryable, text: string, params?: unknown[]) =>
  (await db.query(text, params)).rows as R[];
