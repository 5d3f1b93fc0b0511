// Shared by the server tests: clients and pools for the throw-away cluster, closed after each test.
import pg from "pg";
import { afterEach, inject } from "vitest";
import type { Database } from "./suites/database.ts";

const opened: { end(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of opened.splice(0).reverse()) await c.end().catch(() => {});
});

export const config = () => inject("pg");

export async function client(): Promise<pg.Client> {
  const c = new pg.Client(config());
  await c.connect();
  opened.push(c);
  return c;
}

export function pool(max = 5): pg.Pool {
  const p = new pg.Pool({ ...config(), max });
  opened.push(p);
  return p;
}

/** The server backend of the shared suites (suites/): one node-postgres Client per file. */
export const server: Database = {
  name: "pg.Client, PostgreSQL server",
  async open() {
    const c = new pg.Client(config());
    await c.connect();
    return c;
  },
  close: (db) => (db as pg.Client).end(),
};
