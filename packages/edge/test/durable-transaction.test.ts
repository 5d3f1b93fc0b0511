import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { durableTransaction } from "../src/index.ts";
import type { Store } from "./worker.ts";

/** Runs `fn` inside a fresh Durable Object with SQLite storage, a table and a KV key seeded. */
function inObject<R>(fn: (storage: DurableObjectStorage) => Promise<R>): Promise<R> {
  const stub = env.STORE.get(env.STORE.newUniqueId());
  return runInDurableObject(stub, async (_object, state) => {
    state.storage.sql.exec("CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER)");
    state.storage.sql.exec("INSERT INTO accounts VALUES ('alice', 100), ('bob', 0)");
    await state.storage.put("transfers", 0);
    return fn(state.storage);
  });
}
const balances = (storage: DurableObjectStorage) =>
  storage.sql.exec("SELECT id, balance FROM accounts ORDER BY id").toArray();

describe("durableTransaction (in workerd, SQLite-backed Durable Object)", () => {
  it("commits SQL and KV writes when the block succeeds", async () => {
    const after = await inObject(async (storage) => {
      await asyncWith(durableTransaction(storage), async (txn) => {
        storage.sql.exec("UPDATE accounts SET balance = balance - 30 WHERE id = 'alice'");
        storage.sql.exec("UPDATE accounts SET balance = balance + 30 WHERE id = 'bob'");
        await txn.put("transfers", 1);
      });
      return [balances(storage), await storage.get("transfers")];
    });
    expect(after).toEqual([
      [
        { id: "alice", balance: 70 },
        { id: "bob", balance: 30 },
      ],
      1,
    ]);
  });

  it("rolls back SQL and KV writes when the block throws, and rethrows the very same error", async () => {
    const error = new Error("transfer failed halfway");
    const after = await inObject(async (storage) => {
      const thrown = await asyncWith(durableTransaction(storage), async (txn) => {
        storage.sql.exec("UPDATE accounts SET balance = balance - 30 WHERE id = 'alice'");
        await txn.put("transfers", 1);
        await storage.put("other", "written through storage, not txn");
        throw error;
      }).catch((e: unknown) => e);
      return [thrown, balances(storage), await storage.get("transfers"), await storage.get("other")];
    });
    expect(after[0]).toBe(error);
    expect(after.slice(1)).toEqual([
      [
        { id: "alice", balance: 100 },
        { id: "bob", balance: 0 },
      ],
      0,
      undefined,
    ]);
  });

  it("blocks its whole object: a call back into it is answered after the block (start it inside, await it after)", async () => {
    // The recommended pattern from the README. Awaiting `pending` inside the block would deadlock:
    // the object's input gate stays closed until the transaction ends, so the call cannot arrive.
    const events = await runInDurableObject(env.STORE.get(env.STORE.newUniqueId()), async (object: Store, state) => {
      const self = env.STORE.get(state.id); // this object's own stub, made inside it
      let pending!: Promise<void>;
      await asyncWith(durableTransaction(state.storage), async (txn) => {
        object.note("block started");
        pending = self.note("call back into the object");
        for (let i = 0; i < 5; i++) {
          await txn.put(`step ${i}`, i);
          await new Promise((turn) => setTimeout(turn, 0)); // a later task: where objects usually interleave
        }
        object.note("block ended");
      });
      await pending;
      return [...object.events];
    });
    expect(events).toEqual(["block started", "block ended", "call back into the object"]);
  });

  it("rejects what is not a storage, saying what it got", () => {
    expect(() => durableTransaction({} as never)).toThrow(
      "Expected durableTransaction() to be given a Durable Object's this.ctx.storage, got an object",
    );
  });
});
