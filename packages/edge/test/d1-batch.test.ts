import { env } from "cloudflare:workers";
import { aexit, AsyncExitStack, asyncWith, TimeoutError } from "@asyncwith/core";
import { beforeEach, describe, expect, it } from "vitest";
import { d1Batch } from "../src/index.ts";

beforeEach(async () => {
  await env.DB.exec(
    "DROP TABLE IF EXISTS accounts; CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER CHECK (balance >= 0)); INSERT INTO accounts VALUES ('alice', 100), ('bob', 0);",
  );
});
const balances = async () => (await env.DB.prepare("SELECT id, balance FROM accounts ORDER BY id").all()).results;
const move = (amount: number, from: string, to: string) => [
  env.DB.prepare("UPDATE accounts SET balance = balance - ?1 WHERE id = ?2").bind(amount, from),
  env.DB.prepare("UPDATE accounts SET balance = balance + ?1 WHERE id = ?2").bind(amount, to),
];

describe("d1Batch (in workerd, real D1)", () => {
  it("runs the collected statements as one batch when the block succeeds", async () => {
    const batch = await asyncWith(d1Batch(env.DB), (batch) => {
      batch.add(...move(40, "alice", "bob"));
      expect(batch.results).toBeUndefined();
      return batch;
    });
    expect(batch.results).toHaveLength(2);
    expect(await balances()).toEqual([
      { id: "alice", balance: 60 },
      { id: "bob", balance: 40 },
    ]);
  });

  it("sends nothing when the block throws, and rethrows the same error", async () => {
    const error = new Error("validation failed");
    await expect(
      asyncWith(d1Batch(env.DB), (batch) => {
        batch.add(...move(40, "alice", "bob"));
        throw error;
      }),
    ).rejects.toBe(error);
    expect(await balances()).toEqual([
      { id: "alice", balance: 100 },
      { id: "bob", balance: 0 },
    ]);
  });

  it("is all or nothing: a statement that fails in the batch undoes the ones before it", async () => {
    await expect(
      asyncWith(d1Batch(env.DB), (batch) => batch.add(...move(500, "bob", "alice").reverse())),
    ).rejects.toThrow(/CHECK constraint failed/);
    expect(await balances()).toEqual([
      { id: "alice", balance: 100 },
      { id: "bob", balance: 0 },
    ]);
  });

  it("under an exit deadline, stops waiting for D1's reply and says the batch may have been applied", async () => {
    let reply!: () => void;
    const held = new Promise<void>((resolve) => (reply = resolve));
    const slow = {
      batch: async (statements: D1PreparedStatement[]) => {
        const results = await env.DB.batch(statements); // applied now
        await held; // the reply is held back
        return results;
      },
    };
    const stack = new AsyncExitStack();
    const batch = await stack.enterContext(d1Batch(slow));
    batch.add(...move(40, "alice", "bob"));
    const deadline = new AbortController();
    const exiting = stack[aexit](undefined, { signal: deadline.signal });
    const reason = new TimeoutError("deadline");
    deadline.abort(reason);
    const error = (await exiting.catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      "d1Batch()'s exit stopped waiting for D1's reply at its deadline: the batch may or may not have been applied, so check before sending it again",
    );
    expect(error.cause).toBe(reason);
    reply();
    await expect.poll(balances).toEqual([
      { id: "alice", balance: 60 },
      { id: "bob", balance: 40 },
    ]); // it was applied: "may or may not" is the truth the exit could tell
  });

  it("refuses statements added after the block ended", async () => {
    const batch = await asyncWith(d1Batch(env.DB), (batch) => batch);
    expect(() => batch.add(env.DB.prepare("SELECT 1"))).toThrow(
      "Expected an open d1Batch() block, got one that has ended",
    );
  });
});
