// advisoryLock() and advisoryXactLock() within one session, the same tests on every backend.
// Contention between sessions needs the real server (advisory-lock.server.test.ts).
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { advisoryLock, advisoryXactLock, checkFence, transaction } from "../../src/index.ts";
import { _key } from "../../src/advisory-lock.ts";
import { type Database, rows, session } from "./database.ts";

export function testAdvisoryLock(database: Database): void {
  describe(`advisoryLock (${database.name})`, () => {
    const db = session(database);
    // This session's advisory locks only: on a server, other files' sessions hold theirs.
    const held = async () =>
      (
        await rows<{ n: number }>(
          db(),
          "select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()",
        )
      )[0]!.n;

    it("holds the lock for the block and releases it on every path", async () => {
      await asyncWith(advisoryLock(db(), "report"), async (lock) => {
        expect(lock.key).toBe(_key("report"));
        expect(await held()).toBe(1);
      });
      expect(await held()).toBe(0);
      const error = new Error("boom");
      await expect(asyncWith(advisoryLock(db(), 42n, { shared: true }), () => Promise.reject(error))).rejects.toBe(
        error,
      );
      expect(await held()).toBe(0);
    });

    it("hashes string keys stably into signed 64-bit keys, and refuses bad keys", () => {
      expect(_key("report")).toBe(_key("report"));
      expect(_key("report")).not.toBe(_key("reports"));
      expect(_key(7)).toBe(7n);
      expect(_key("x") >= -(2n ** 63n) && _key("x") < 2n ** 63n).toBe(true);
      expect(() => advisoryLock(db(), 1.5)).toThrow(
        "Expected advisoryLock() key to be a 64-bit bigint, a safe integer or a non-empty string, got 1.5",
      );
      expect(() => advisoryLock(db(), 2n ** 64n)).toThrow(/Expected advisoryLock\(\) key/);
      expect(() => advisoryLock(db(), 1, { retryInterval: -5 })).toThrow(
        "Expected advisoryLock() options.retryInterval to be a positive number of milliseconds, got -5",
      );
      expect(() => advisoryLock(db(), 1, { wait: "no" as never })).toThrow(
        'Expected advisoryLock() options.wait to be true or false, got "no"',
      );
      expect(() => advisoryLock(db(), 1, { exclusive: true } as never)).toThrow(
        "Expected advisoryLock() options among shared, wait, signal, retryInterval and fence, got options exclusive",
      );
      // Own keys are checked, as transaction() checks them; inherited ones (defaults) are read, not refused.
      const defaults = Object.assign(Object.create({ note: "inherited" }), { wait: false });
      expect(() => advisoryLock(db(), 1, Object.create(defaults))).not.toThrow();
    });

    it("advisoryXactLock(): held until the transaction ends, committed or rolled back; refused outside one", async () => {
      await asyncWith(transaction(db()), async (tx) => {
        await advisoryXactLock(tx, "account:alice");
        expect(await held()).toBe(1);
      });
      expect(await held()).toBe(0);
      await asyncWith(transaction(db()), async (tx) => {
        await advisoryXactLock(tx, "account:alice", { shared: true });
        throw new Error("rolled back");
      }).catch(() => {});
      expect(await held()).toBe(0);
      await expect(advisoryXactLock(db() as never, "x")).rejects.toThrow(
        /^Expected advisoryXactLock\(\) to be given a transaction's tx/,
      );
    });

    it("fence: each holder's token is higher than the last, and checkFence lets only the latest write", async () => {
      const first = await asyncWith(advisoryLock(db(), "fenced", { fence: true }), (lock) => lock);
      const second = await asyncWith(advisoryLock(db(), "fenced", { fence: true }), (lock) => lock);
      expect(typeof first.token).toBe("bigint");
      expect(second.token).toBe(first.token! + 1n);
      expect(await asyncWith(advisoryLock(db(), "unfenced"), (lock) => lock.token)).toBeUndefined();
      await asyncWith(transaction(db()), (tx) => checkFence(tx, second)); // the latest: goes on
      const refused = asyncWith(transaction(db()), async (tx) => {
        await checkFence(tx, first);
        await tx.query("select 'never run'");
      });
      await expect(refused).rejects.toMatchObject({
        code: "EFENCED",
        message: expect.stringMatching(
          new RegExp(
            `^Expected fencing token ${first.token} of advisory lock ${first.key} to be the latest, got ${second.token}`,
          ),
        ),
      });
      expect(await held()).toBe(0);
    });

    it("fence: bad input is refused, saying what it got", async () => {
      expect(() => advisoryLock(db(), 1, { fence: "yes" as never })).toThrow(
        'Expected advisoryLock() options.fence to be true or false, got "yes"',
      );
      expect(() => advisoryLock(db(), 1, { fence: true, shared: true })).toThrow(
        /^Expected advisoryLock\(\) options.fence on an exclusive lock, got fence with shared: true/,
      );
      const unfenced = await asyncWith(advisoryLock(db(), 2), (lock) => lock);
      await expect(asyncWith(transaction(db()), (tx) => checkFence(tx, unfenced))).rejects.toThrow(
        "Expected checkFence() to be given a lock taken with advisoryLock(…, { fence: true }), got a lock without a token (undefined)",
      );
      await expect(checkFence(db() as never, unfenced)).rejects.toThrow(
        /^Expected checkFence\(\) to be given a transaction's tx/,
      );
    });
  });
}
