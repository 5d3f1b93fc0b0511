// Shared by the IndexedDB tests: fresh databases (deleted after each test) and views of them.
import { asyncWith } from "@asyncwith/core";
import { afterEach } from "vitest";
import { openDatabase, transaction } from "../src/index.ts";

const names: string[] = [];
afterEach(async () => {
  for (const name of names.splice(0)) {
    await new Promise((resolve) =>
      Object.assign(indexedDB.deleteDatabase(name), { onsuccess: resolve, onerror: resolve, onblocked: resolve }),
    );
  }
});

/** A database name that is deleted after the test. */
export function freshName(): string {
  const name = `db-${crypto.randomUUID()}`;
  names.push(name);
  return name;
}

/** A fresh database with two stores, "accounts" (keyPath id) and "log" (auto-increment). */
export function bank(version = 1) {
  return openDatabase(freshName(), version, {
    upgrade(db) {
      db.createObjectStore("accounts", { keyPath: "id" });
      db.createObjectStore("log", { autoIncrement: true });
    },
  });
}

export type Account = { id: string; balance: number };
export const snapshot = (db: IDBDatabase) =>
  asyncWith(transaction(db, ["accounts", "log"]), async (tx) => ({
    accounts: await tx.objectStore("accounts").getAll(),
    log: await tx.objectStore("log").getAll(),
  }));
export const seed = (db: IDBDatabase) =>
  asyncWith(transaction(db, "accounts", "readwrite"), async (tx) => {
    await tx.objectStore("accounts").put({ id: "alice", balance: 100 });
    await tx.objectStore("accounts").put({ id: "bob", balance: 0 });
  });
