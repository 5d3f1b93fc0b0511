// The conformance suite with pg against a real server: the shared drivers, then what needs a pool —
// connection(pool), advisoryLock(pool) — with a session of its own for every block.
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { type Driver, testResourceManagers } from "../../../test-setup/conformance.ts";
import { advisoryLock, connection } from "../src/index.ts";
import { client, pool, server } from "./pg.ts";
import { testConformance } from "./suites/conformance.ts";

testConformance(server);

let keys = 0x7077_0000n;
const drivers: Driver[] = [
  {
    name: "connection(pool)",
    // A pool of one per block: checked out while the block runs; after it, idle again or destroyed.
    run: async (use) => {
      const p = pool(1);
      return use({ manager: connection(p), isOpen: () => p.totalCount === 1 && p.idleCount === 0 });
    },
  },
  {
    name: "advisoryLock(pool)",
    run: async (use) => {
      const [p, admin] = [pool(2), await client()];
      return use({
        manager: advisoryLock(p, ++keys),
        isOpen: async ({ key }: { key: bigint }) =>
          (
            await admin.query(
              "select count(*)::int as n from pg_locks where locktype = 'advisory' and granted and ((classid::bigint << 32) | objid::bigint) = $1::bigint",
              [key.toString()],
            )
          ).rows[0].n > 0,
        sabotage: ({ client: c }: { client: { query(text: string): Promise<unknown> } }) =>
          c.query("select pg_advisory_unlock_all()"),
      });
    },
    releaseCanFail: true,
  },
];
testResourceManagers({ describe, it, expect, asyncWith }, drivers);
