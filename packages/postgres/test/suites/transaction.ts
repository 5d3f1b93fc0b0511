// transaction(), the same tests on every backend (PGlite, and pg against a real server).
// A temporary table: session-local, so files running in parallel on one server never collide.
import { asyncWith } from "@asyncwith/core";
import { beforeEach, describe, expect, it } from "vitest";
import { transaction } from "../../src/index.ts";
import { type Database, rows, session } from "./database.ts";

export function testTransaction(database: Database): void {
  describe(`transaction (${database.name})`, () => {
    const db = session(database);
    beforeEach(async () => {
      await db().query("drop table if exists accounts");
      await db().query("create temp table accounts (id text primary key, balance int not null check (balance >= 0))");
      await db().query("insert into accounts values ('alice', 100), ('bob', 0)");
    });
    const balances = async () =>
      Object.fromEntries(
        (await rows<{ id: string; balance: number }>(db(), "select * from accounts order by id")).map((r) => [
          r.id,
          r.balance,
        ]),
      );

    it("commits on success", async () => {
      await asyncWith(transaction(db()), async (tx) => {
        await tx.query("update accounts set balance = balance - 10 where id = 'alice'");
        await tx.query("update accounts set balance = balance + 10 where id = 'bob'");
      });
      expect(await balances()).toEqual({ alice: 90, bob: 10 });
    });

    it("rolls back on failure, rethrowing the very same error (a user's SQL error, with its SQLSTATE)", async () => {
      let sqlError: unknown;
      const result = asyncWith(transaction(db()), async (tx) => {
        await tx.query("update accounts set balance = balance + 10 where id = 'bob'");
        await tx.query("update accounts set balance = balance - 1000 where id = 'alice'").catch((e) => {
          sqlError = e;
          throw e;
        });
      });
      await expect(result).rejects.toSatisfy((e) => e === sqlError);
      expect((sqlError as { code: string }).code).toBe("23514"); // check_violation
      expect(await balances()).toEqual({ alice: 100, bob: 0 });
    });

    it("nests as a savepoint: an inner failure the outer block catches keeps the outer transaction usable", async () => {
      await asyncWith(transaction(db()), async (tx) => {
        await tx.query("update accounts set balance = balance - 10 where id = 'alice'");
        await asyncWith(transaction(tx), (sp) => sp.query("insert into accounts values ('alice', 1)")).catch(
          () => "duplicate: rolled back to the savepoint",
        );
        await asyncWith(transaction(tx), async (sp) => {
          expect(sp.depth).toBe(1);
          await sp.query("insert into accounts values ('carol', 5)");
        });
        await tx.query("update accounts set balance = balance + 10 where id = 'bob'");
      });
      expect(await balances()).toEqual({ alice: 90, bob: 10, carol: 5 });
    });

    it("a statement that failed while the block carried on: the exit rolls back and says so, with the SQLSTATE", async () => {
      const result = asyncWith(transaction(db()), async (tx) => {
        await tx.query("update accounts set balance = balance + 1 where id = 'bob'");
        await tx.query("select 1/0").catch(() => "ignored");
      });
      await expect(result).rejects.toMatchObject({
        code: "22012",
        message: expect.stringMatching(/^Expected the transaction to commit, got a rollback/),
      });
      expect(await balances()).toEqual({ alice: 100, bob: 0 });
    });

    it("applies the options to BEGIN (isolation, read only)", async () => {
      await asyncWith(transaction(db(), { isolation: "serializable", readOnly: true }), async (tx) => {
        expect((await tx.query("show transaction_isolation")).rows).toEqual([
          { transaction_isolation: "serializable" },
        ]);
        await expect(tx.query("delete from accounts")).rejects.toMatchObject({ code: "25006" }); // read_only_sql_transaction
      }).catch(() => {});
      expect(() => transaction(db(), { isolation: "chaos" as never })).toThrow(
        'Expected transaction() options.isolation to be one of "read committed", "repeatable read", "serializable", got "chaos"',
      );
    });

    it("refuses two transactions at once on one connection, and statements on the outer tx while a savepoint is open: never interleaved", async () => {
      await asyncWith(transaction(db()), async (tx) => {
        await expect(asyncWith(transaction(db()), () => {})).rejects.toThrow(
          /^Expected a transaction block to run on its own, got a connection already in a transaction/,
        );
        await asyncWith(transaction(tx), async () => {
          await expect(tx.query("select 1")).rejects.toThrow(/got one with a nested transaction open/);
          await expect(asyncWith(transaction(tx), () => {})).rejects.toThrow(/got one with a nested transaction open/);
        });
      });
      await asyncWith(transaction(db()), () => {}); // and the connection is free again
    });

    it("a savepoint cannot outlive its transaction: after the parent rolled back, its statements are refused, never run in autocommit", async () => {
      const failed = new Error("check failed");
      let release!: () => void;
      const later = new Promise<void>((resolve) => (release = resolve));
      let savepointWork: Promise<unknown> | undefined;
      const result = asyncWith(transaction(db()), (tx) =>
        Promise.all([
          (savepointWork = asyncWith(transaction(tx), async (sp) => {
            await sp.query("update accounts set balance = balance - 10 where id = 'alice'");
            await later; // the parent's block fails meanwhile
            await sp.query("insert into accounts values ('carol', 10)");
          })),
          Promise.reject(failed),
        ]),
      );
      await expect(result).rejects.toBe(failed);
      release();
      await expect(savepointWork).rejects.toThrow(
        /^Expected a savepoint to end before its transaction, got its transaction ended first/,
      );
      expect(await balances()).toEqual({ alice: 100, bob: 0 });
      await asyncWith(transaction(db()), () => {}); // the connection is free and idle
    });

    it("a parent whose block ends while its savepoint is open commits nothing and says which error", async () => {
      let release!: () => void;
      const later = new Promise<void>((resolve) => (release = resolve));
      let savepointWork: Promise<unknown> | undefined;
      const result = asyncWith(transaction(db()), async (tx) => {
        await tx.query("update accounts set balance = balance + 1 where id = 'bob'");
        await new Promise<void>((started) => {
          savepointWork = asyncWith(transaction(tx), async (sp) => {
            await sp.query("update accounts set balance = balance - 10 where id = 'alice'");
            started();
            await later;
            await sp.query("update accounts set balance = balance + 10 where id = 'bob'");
          });
        }); // the savepoint's block is not awaited: this block ends while it is open
      });
      await expect(result).rejects.toThrow(
        /^Expected a transaction block to run on its own, got one whose nested transaction\(tx\) block was still running when its own block ended/,
      );
      release();
      await expect(savepointWork).rejects.toThrow(/got its transaction ended first/);
      expect(await balances()).toEqual({ alice: 100, bob: 0 });
    });

    it("a signal that aborts mid-block: later statements are refused with its reason, the block rolls back and rejects with that very value, even if it carried on", async () => {
      const controller = new AbortController();
      const reason = new Error("cancelled by the caller");
      const seen: unknown[] = [];
      const result = asyncWith(transaction(db(), { signal: controller.signal, timeout: 60_000 }), async (tx) => {
        await tx.query("update accounts set balance = balance + 1 where id = 'bob'");
        controller.abort(reason);
        expect(tx.signal.aborted).toBe(true);
        await tx.query("update accounts set balance = balance + 1 where id = 'bob'").catch((e) => seen.push(e));
        return "carried on";
      });
      await expect(result).rejects.toBe(reason);
      expect(seen).toEqual([reason]);
      expect(await balances()).toEqual({ alice: 100, bob: 0 });
    });

    it("validates its options: a savepoint refuses them (never drops them), and readOnly takes booleans only", () => {
      expect(() => transaction(db(), { readOnly: "false" as never })).toThrow(
        'Expected transaction() options.readOnly to be true or false, got "false"',
      );
      expect(() => transaction(db(), { deferrable: 1 as never })).toThrow(
        "Expected transaction() options.deferrable to be true or false, got 1",
      );
      expect(() => transaction(db(), null as never)).toThrow(
        "Expected transaction() options to be an object, got null",
      );
      expect(() => transaction(db(), { isolationLevel: "serializable" } as never)).toThrow(
        "Expected transaction() options among isolation, readOnly, deferrable, timeout and signal, got options isolationLevel",
      );
      expect(() => transaction(db(), { timeout: -1 })).toThrow(
        "Expected transaction() options.timeout to be a positive number of milliseconds, got -1",
      );
      return asyncWith(transaction(db()), (outer) => {
        expect(() => transaction(outer, { isolation: "serializable" })).toThrow(
          /^Expected no options for a savepoint \(transaction\(tx\)\): isolation, read-only, deferrable, timeout and signal belong to the outer transaction, got options isolation$/,
        );
        expect(() => transaction(outer, {})).not.toThrow();
      });
    });
  });
}
