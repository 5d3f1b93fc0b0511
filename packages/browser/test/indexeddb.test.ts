import { asyncWith, SuppressedError } from "@asyncwith/core";
import { afterEach, describe, expect, it } from "vitest";
import { EarlyCommitError, openDatabase, transaction } from "../src/index.ts";

const names: string[] = [];
afterEach(async () => {
  for (const name of names.splice(0)) {
    await new Promise((resolve) => Object.assign(indexedDB.deleteDatabase(name), { onsuccess: resolve, onerror: resolve, onblocked: resolve }));
  }
});

/** A fresh database with two stores, "accounts" (keyPath id) and "log" (auto-increment). */
function bank(version = 1) {
  const name = `db-${crypto.randomUUID()}`;
  names.push(name);
  return openDatabase(name, version, {
    upgrade(db) {
      db.createObjectStore("accounts", { keyPath: "id" });
      db.createObjectStore("log", { autoIncrement: true });
    },
  });
}

type Account = { id: string; balance: number };
const snapshot = (db: IDBDatabase) =>
  asyncWith(transaction(db, ["accounts", "log"]), async (tx) => ({
    accounts: await tx.objectStore("accounts").getAll(),
    log: await tx.objectStore("log").getAll(),
  }));
const seed = (db: IDBDatabase) =>
  asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
    await tx.objectStore("accounts").put({ id: "alice", balance: 100 });
    await tx.objectStore("accounts").put({ id: "bob", balance: 0 });
  });

describe("openDatabase (real IndexedDB in Chromium)", () => {
  it("gives the database after the upgrade, and closes it on exit", async () => {
    const db = await asyncWith(bank(), (db) => {
      expect([...db.objectStoreNames].sort()).toEqual(["accounts", "log"]);
      return db;
    });
    expect(() => db.transaction("accounts")).toThrow(/closing|closed/i);
  });

  it("an upgrade that throws aborts the version change: the enter rejects with that very error", async () => {
    const name = `db-${crypto.randomUUID()}`;
    names.push(name);
    await asyncWith(openDatabase(name, 1, { upgrade: (db) => void db.createObjectStore("v1") }), () => {});
    const error = new Error("migration failed");
    let ran = false;
    await expect(asyncWith(openDatabase(name, 2, { upgrade: (db) => {
      db.createObjectStore("v2");
      throw error;
    } }), () => (ran = true))).rejects.toBe(error);
    expect(ran).toBe(false);
    const [version, stores] = await asyncWith(openDatabase(name), (db) => [db.version, [...db.objectStoreNames]]);
    expect([version, stores]).toEqual([1, ["v1"]]);
  });

  it("refuses an async upgrade: the version change is aborted (no half schema) and the enter says upgrade must be synchronous", async () => {
    const name = `db-${crypto.randomUUID()}`;
    names.push(name);
    await asyncWith(openDatabase(name, 1, { upgrade: (db) => void db.createObjectStore("v1") }), () => {});
    const upgrade = async (db: IDBDatabase) => {
      db.createObjectStore("v2-a");
      await new Promise((resolve) => setTimeout(resolve));
      db.createObjectStore("v2-b"); // would fail: the version change is over by now
    };
    // @ts-expect-error an async upgrade is a type error (NotAPromise)
    const opening = asyncWith(openDatabase(name, 2, { upgrade }), () => {});
    await expect(opening).rejects.toThrow("Expected openDatabase() options.upgrade to be synchronous, got one returning a promise: IndexedDB ends a version change at its first foreign await");
    await expect(opening).rejects.toBeInstanceOf(TypeError);
    const [version, stores] = await asyncWith(openDatabase(name), (db) => [db.version, [...db.objectStoreNames]]);
    expect([version, stores]).toEqual([1, ["v1"]]);
  });

  it("calls blocked while an older connection stays open", async () => {
    const name = `db-${crypto.randomUUID()}`;
    names.push(name);
    const seen: unknown[] = [];
    await asyncWith(openDatabase(name, 1), async (old) => {
      const upgrading = asyncWith(openDatabase(name, 2, { blocked: (from, to) => (seen.push([from, to]), old.close()) }), (db) => db.version);
      expect(await upgrading).toBe(2);
    });
    expect(seen).toEqual([[1, 2]]);
  });
});

describe("transaction (real IndexedDB in Chromium)", () => {
  it("commits on success, resolving only once the data is durable (complete)", async () => {
    await asyncWith(bank(), async (db) => {
      await seed(db);
      expect((await snapshot(db)).accounts).toEqual([{ id: "alice", balance: 100 }, { id: "bob", balance: 0 }]);
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
      await expect(result).rejects.toThrow("The transaction committed early because the block awaited non-IndexedDB work");
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
      expect((await snapshot(db)).accounts).toEqual([{ id: "frank", balance: 1 }, { id: "gina", balance: 2 }]);

      const error = new Error("the fetch said no");
      const failing = asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
        await tx.objectStore("accounts").put({ id: "henry", balance: 3 });
        await tx.waitFor(later(0));
        await tx.objectStore("accounts").put({ id: "frank", balance: 99 });
        await tx.waitFor(Promise.reject(error));
      });
      await expect(failing).rejects.toBe(error);
      expect((await snapshot(db)).accounts).toEqual([{ id: "frank", balance: 1 }, { id: "gina", balance: 2 }]); // nothing of it
    });
  });

  it("throws the transaction's own error when a request aborted it and the block carried on", async () => {
    await asyncWith(bank(), async (db) => {
      await seed(db);
      const result = asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
        await tx.objectStore("accounts").add({ id: "alice", balance: 1 }).catch(() => "ignored by the block"); // ConstraintError
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
    const name = `db-${crypto.randomUUID()}`;
    names.push(name);
    await asyncWith(openDatabase(name, 1, { upgrade: (db) => db.createObjectStore("people", { keyPath: "id" }).createIndex("by-age", "age") }), async (db) => {
      await asyncWith(transaction(db, "people", "readwrite"), async (tx) => {
        expect(tx.mode).toBe("readwrite");
        await tx.objectStore("people").put({ id: 1, age: 30 });
        expect(await tx.objectStore("people").index("by-age").getKey(30)).toBe(1);
      });
    });
  });

  it("rejects what is not a database, saying what it got", () => {
    expect(() => transaction({} as never, "s")).toThrow("Expected transaction() to be given an open IDBDatabase (from openDatabase), got an object");
  });
});
