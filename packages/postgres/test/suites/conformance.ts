// The shared resource-manager conformance suite (test-setup/conformance.ts), run against this
// package's managers on every backend: PGlite in Node and Chromium, pg against a real server.
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { driver, testResourceManagers } from "../../../../test-setup/conformance.ts";
import { advisoryLock, type Queryable, transaction } from "../../src/index.ts";
import { type Database, session } from "./database.ts";

/** Inside a transaction block, a SAVEPOINT works; outside one, PostgreSQL refuses it (25P01). */
const inTransaction = (db: Queryable) =>
  db.query("SAVEPOINT conformance_probe").then(
    () => db.query("RELEASE SAVEPOINT conformance_probe").then(() => true),
    () => false,
  );

let keys = 0x6366_0000n; // a key per block: blocks at once never share one

export function testConformance(database: Database): void {
  describe(`@asyncwith/postgres on ${database.name}`, () => {
    const db = session(database);
    const held = async (key: bigint) =>
      (
        await db().query(
          "select count(*)::int as n from pg_locks where locktype = 'advisory' and granted and ((classid::bigint << 32) | objid::bigint) = $1::bigint",
          [key.toString()],
        )
      ).rows[0] as { n: number };
    testResourceManagers({ describe, it, expect, asyncWith }, [
      // One session runs one transaction at a time: the concurrency check runs its blocks one by one.
      driver("transaction", () => ({ manager: transaction(db()), isOpen: () => inTransaction(db()) }), {
        concurrency: 1,
      }),
      driver(
        "advisoryLock",
        () => ({
          manager: advisoryLock(db(), ++keys),
          isOpen: async ({ key }) => (await held(key)).n > 0,
          sabotage: ({ client }) => client.query("select pg_advisory_unlock_all()"), // the exit's unlock then answers false
        }),
        { releaseCanFail: true },
      ),
    ]);
  });
}
