import { asyncWith, SuppressedError } from "@asyncwith/core";
import { describe, expect, it, vi } from "vitest";
import { EarlyCommitError, openDatabase, transaction } from "../src/index.ts";
import { type Account, bank, freshName, seed, snapshot } from "./idb.ts";

describe("transaction (real IndexedDB in Chromium)", () => {
  it("commits on success, resolving only once the data is durable (complete)", async () => {
    await asyncWith(bank(), async (db) => {
      await seed(db);
      expect((await snapshot(db)).accounts).toEqual([
        { id: "alice", balance: 100 },
        { id: "bob", balance: 0 },
      ]);
    });
  });

  it("rolls back every store when the block throws, and rethrows the same error", async () => {
    await asyncWith(bank(), async (db) => {
      await seed(db);
      const before = await snapshot(db);
      const error = new Error("transfer failed halfway");
      const result = asyncWith(transaction(db, ["accounts", "log"], "readwrite"), async (tx) => {
        const accounts = tx.objectStore("accounts");
        const alice = (await accounts.get("alice")) as Account;
        await accounts.put({ ...alice, balance: alice.balance - 30 });
        await tx.objectStore("log").add({ from: "alice", amount: 30 });
        throw error;
      });
      await expect(result).rejects.toBe(error);
      expect(await snapshot(db)).toEqual(before);
    });
  });

  it("the early-commit trap: awaiting non-IndexedDB work lets IndexedDB commit, and the exit says so", async () => {
    await asyncWith(bank(), async (db) => {
      const result = asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
        await tx.objectStore("accounts").put({ id: "carol", balance: 5 });
        await new Promise((resolve) => setTimeout(resolve)); // not IndexedDB work: the transaction commits meanwhile
      });
      await expect(result).rejects.toBeInstanceOf(EarlyCommitError);
      await expect(result).rejects.toThrow(
        "The transaction committed early because the block awaited non-IndexedDB work",
      );
      expect((await snapshot(db)).accounts).toEqual([{ id: "carol", balance: 5 }]); // what it said: committed
    });
  });

  it("the trap on the failure path: the request after the await fails, and the exit says the rollback was impossible", async () => {
    await asyncWith(bank(), async (db) => {
      const result = asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
        await tx.objectStore("accounts").put({ id: "dave", balance: 1 });
        await new Promise((resolve) => setTimeout(resolve));
        await tx.objectStore("accounts").put({ id: "erin", balance: 2 }); // InvalidStateError: the transaction has finished
      });
      const thrown = await result.catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(SuppressedError);
      expect((thrown as SuppressedError).error).toBeInstanceOf(EarlyCommitError);
      expect((thrown as SuppressedError).suppressed).toMatchObject({ name: "InvalidStateError" });
    });
  });

  it("a block that throws with requests still pending leaves no unhandled AbortError rejection (the abort is ours)", async () => {
    let unhandled = 0;
    const listen = () => void unhandled++;
    addEventListener("unhandledrejection", listen);
    try {
      await asyncWith(bank(), async (db) => {
        await seed(db);
        const error = new Error("thrown with 50 puts pending");
        const result = asyncWith(transaction(db, ["accounts", "log"], "readwrite"), (tx) => {
          for (let i = 0; i < 50; i++) void tx.objectStore("log").add({ i }); // queued, never awaited
          throw error;
        });
        await expect(result).rejects.toBe(error);
        expect((await snapshot(db)).log).toEqual([]);
      });
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
      expect(unhandled).toBe(0);
    } finally {
      removeEventListener("unhandledrejection", listen);
    }
  });

  it("waitFor keeps the transaction alive across foreign work: everything commits, or (on a throw) nothing", async () => {
    await asyncWith(bank(), async (db) => {
      const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 20));
      await asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
        await tx.objectStore("accounts").put({ id: "frank", balance: 1 });
        const balance = await tx.waitFor(later(2)); // without waitFor: EarlyCommitError, as above
        await tx.objectStore("accounts").put({ id: "gina", balance });
      });
      expect((await snapshot(db)).accounts).toEqual([
        { id: "frank", balance: 1 },
        { id: "gina", balance: 2 },
      ]);

      const error = new Error("the fetch said no");
      const failing = asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
        await tx.objectStore("accounts").put({ id: "henry", balance: 3 });
        await tx.waitFor(later(0));
        await tx.objectStore("accounts").put({ id: "frank", balance: 99 });
        await tx.waitFor(Promise.reject(error));
      });
      await expect(failing).rejects.toBe(error);
      expect((await snapshot(db)).accounts).toEqual([
        { id: "frank", balance: 1 },
        { id: "gina", balance: 2 },
      ]); // nothing of it
    });
  });

  it("throws the transaction's own error when a request aborted it and the block carried on", async () => {
    await asyncWith(bank(), async (db) => {
      await seed(db);
      const result = asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
        await tx
          .objectStore("accounts")
          .add({ id: "alice", balance: 1 })
          .catch(() => "ignored by the block"); // ConstraintError
      });
      await expect(result).rejects.toMatchObject({ name: "ConstraintError" });
      expect((await snapshot(db)).accounts).toHaveLength(2);
    });
  });

  it("500 sequential failing transactions leave the database unchanged", async () => {
    await asyncWith(bank(), async (db) => {
      await seed(db);
      const before = await snapshot(db);
      let failed = 0;
      for (let i = 0; i < 500; i++) {
        await asyncWith(transaction(db, ["accounts", "log"], "readwrite", { durability: "relaxed" }), async (tx) => {
          await tx.objectStore("accounts").put({ id: "alice", balance: i });
          await tx.objectStore("log").add({ i });
          throw new Error(`failure ${i}`);
        }).catch(() => failed++);
      }
      expect(failed).toBe(500);
      expect(await snapshot(db)).toEqual(before);
    });
  });

  it("wraps indexes and keeps non-request members as they are", async () => {
    const name = freshName();
    await asyncWith(
      openDatabase(name, 1, {
        upgrade: (db) => db.createObjectStore("people", { keyPath: "id" }).createIndex("by-age", "age"),
      }),
      async (db) => {
        await asyncWith(transaction(db, "people", "readwrite"), async (tx) => {
          expect(tx.mode).toBe("readwrite");
          await tx.objectStore("people").put({ id: 1, age: 30 });
          expect(await tx.objectStore("people").index("by-age").getKey(30)).toBe(1);
        });
      },
    );
  });

  it("rejects what is not a database, saying what it got", () => {
    expect(() => transaction({} as never, "s")).toThrow(
      "Expected transaction() to be given an open IDBDatabase (from openDatabase), got an object",
    );
  });

  describe("waitFor is bounded", () => {
    const never = () => new Promise<never>(() => {});

    it("gives up after its timeout: the transaction aborts, nothing of the block is kept, other writers go on", async () => {
      await asyncWith(bank(), async (db) => {
        const result = asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
          await tx.objectStore("accounts").put({ id: "ida", balance: 1 });
          await tx.waitFor(never(), { timeout: 30 }); // before: kept the transaction alive forever
        });
        await expect(result).rejects.toMatchObject({
          name: "TimeoutError",
          message:
            "tx.waitFor() waited 30 ms for work that did not settle, so the transaction was aborted and nothing of the block is kept. Pass { timeout } for longer work, or do it before or after the transaction.",
        });
        await seed(db); // a readwrite transaction on the same store is no longer starved
        expect((await snapshot(db)).accounts.map((a) => a.id)).toEqual(["alice", "bob"]);
      });
    });

    it("is bounded by default: 60 s", async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      try {
        await asyncWith(bank(), async (db) => {
          let outcome = "pending";
          let called!: () => void;
          const waiting = new Promise<void>((resolve) => (called = resolve));
          const result = asyncWith(transaction(db, "accounts", "readwrite"), (tx) => {
            const work = tx.waitFor(never());
            called();
            return work;
          });
          result.catch((e: DOMException) => (outcome = e.name));
          await waiting; // its timer exists now
          vi.advanceTimersByTime(59_999);
          await asyncWith(transaction(db, "log"), (tx) => tx.objectStore("log").count()); // real round trips meanwhile
          expect(outcome).toBe("pending");
          vi.advanceTimersByTime(1);
          await expect(result).rejects.toMatchObject({ name: "TimeoutError" });
        });
      } finally {
        vi.useRealTimers();
      }
    });

    it("gives up with its signal, with the signal's reason", async () => {
      await asyncWith(bank(), async (db) => {
        const controller = new AbortController();
        const reason = new Error("the user navigated away");
        const result = asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
          await tx.objectStore("accounts").put({ id: "jay", balance: 1 });
          const waiting = tx.waitFor(never(), { signal: controller.signal });
          controller.abort(reason);
          await waiting;
        });
        await expect(result).rejects.toBe(reason);
        expect((await snapshot(db)).accounts).toEqual([]);
      });
    });

    it("a waitFor left pending when the block throws leaves no unhandled rejection", async () => {
      // The setup fails any test that leaves one: before, each of these gave an unhandled AbortError.
      await asyncWith(bank(), async (db) => {
        const error = new Error("block failed");
        for (let i = 0; i < 5; i++) {
          const result = asyncWith(transaction(db, "accounts", "readwrite"), (tx) => {
            void tx.waitFor(never());
            throw error;
          });
          await expect(result).rejects.toBe(error);
        }
      });
    });

    it("refuses a timeout that is not a positive number", async () => {
      await asyncWith(bank(), (db) =>
        asyncWith(transaction(db, "accounts"), (tx) => {
          expect(() => tx.waitFor(Promise.resolve(1), { timeout: 0 })).toThrow(
            "Expected tx.waitFor() options.timeout to be a positive number of milliseconds (or Infinity), got 0",
          );
        }),
      );
    });
  });
});
