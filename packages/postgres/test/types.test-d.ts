// The structural types fit the real packages: node-postgres' Client, PoolClient and Pool, and PGlite.
import { asyncWith } from "@asyncwith/core";
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { describe, expectTypeOf, it } from "vitest";
import {
  advisoryLock,
  checkFence,
  connection,
  type HeldAdvisoryLock,
  type Transaction,
  transaction,
} from "../src/index.ts";

describe("types against the real packages", () => {
  it("node-postgres: Client and PoolClient for transaction and advisoryLock, Pool for connection and advisoryLock", async () => {
    const client = {} as pg.Client;
    const pool = {} as pg.Pool;
    expectTypeOf(await asyncWith(transaction(client), (tx) => tx)).toEqualTypeOf<Transaction<pg.Client>>();
    expectTypeOf(await asyncWith(connection(pool), (c) => c)).toMatchTypeOf<pg.PoolClient>();
    expectTypeOf(await asyncWith(advisoryLock(pool, "k"), (l) => l)).toEqualTypeOf<HeldAdvisoryLock<pg.PoolClient>>();
    expectTypeOf(await asyncWith(advisoryLock(client, "k"), (l) => l.client)).toEqualTypeOf<pg.Client>();
    await asyncWith(connection(pool), (c) =>
      asyncWith(transaction(c), (tx) =>
        asyncWith(transaction(tx), (sp) => expectTypeOf(sp.depth).toEqualTypeOf<number>()),
      ),
    );
  });

  it("a pool is no connection for transaction(); the held lock carries its signal; connection() takes options", async () => {
    const pool = {} as pg.Pool;
    // @ts-expect-error a pool runs each statement on another session: take one with connection(pool)
    transaction(pool);
    expectTypeOf(await asyncWith(advisoryLock(pool, 1n), (l) => l.signal)).toEqualTypeOf<AbortSignal>();
    connection(pool, { reset: false });
    // @ts-expect-error reset is a boolean
    connection(pool, { reset: "no" });
  });

  it("fencing: the held lock's token, and checkFence takes a transaction's tx and a held lock", async () => {
    const pool = {} as pg.Pool;
    const client = {} as pg.Client;
    await asyncWith(advisoryLock(pool, "k", { fence: true }), async (lock) => {
      expectTypeOf(lock.token).toEqualTypeOf<bigint | undefined>();
      await asyncWith(transaction(client), (tx) => expectTypeOf(checkFence(tx, lock)).toEqualTypeOf<Promise<void>>());
      // @ts-expect-error a connection is no transaction: the row lock must last until the writes commit
      void checkFence(client, lock);
    });
  });

  it("PGlite as a connection; never as a pool", async () => {
    const db = {} as PGlite;
    expectTypeOf(await asyncWith(transaction(db), (tx) => tx.client)).toEqualTypeOf<PGlite>();
    // @ts-expect-error a PGlite database is not a pool
    connection(db);
  });
});
