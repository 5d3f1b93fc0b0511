import { env } from "cloudflare:workers";
import { asyncWith } from "@asyncwith/core";
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

  it("refuses statements added after the block ended", async () => {
    const batch = await asyncWith(d1Batch(env.DB), (batch) => batch);
    expect(() => batch.add(env.DB.prepare("SELECT 1"))).toThrow(
      "Expected an open d1Batch() block, got one that has ended",
    );
  });
});
