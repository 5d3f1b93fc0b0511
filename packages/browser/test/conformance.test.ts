// The shared resource-manager conformance suite (test-setup/conformance.ts), run against every
// manager of @asyncwith/browser in real Chromium.
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { type Driver, driver, testResourceManagers } from "../../../test-setup/conformance.ts";
import {
  abortScope,
  broadcastChannel,
  objectURL,
  openDatabase,
  type Promised,
  transaction,
  webLock,
} from "../src/index.ts";

const unique = (what: string) => `${what}-${crypto.randomUUID()}`;

/** A database with one store, open for `use`, closed and deleted after. */
async function withDatabase<R>(use: (db: IDBDatabase) => Promise<R>): Promise<R> {
  const name = unique("conformance");
  try {
    return await asyncWith(openDatabase(name, 1, { upgrade: (db) => db.createObjectStore("s") }), use);
  } finally {
    await new Promise((done) =>
      Object.assign(indexedDB.deleteDatabase(name), { onsuccess: done, onerror: done, onblocked: done }),
    );
  }
}
/** An IDBDatabase is closed when starting a transaction on it fails with InvalidStateError. */
const dbIsOpen = (db: IDBDatabase) => {
  try {
    db.transaction("s").abort();
    return true;
  } catch (error) {
    return (error as DOMException).name !== "InvalidStateError";
  }
};
/** A transaction is still running when it still hands out its stores. */
const txIsOpen = (tx: Promised<IDBTransaction>) => {
  try {
    tx.objectStore("s");
    return true;
  } catch {
    return false;
  }
};

const drivers: Driver[] = [
  driver("webLock", () => {
    const name = unique("lock");
    return {
      manager: webLock(name),
      isOpen: async () => ((await navigator.locks.query()).held ?? []).some((l) => l.name === name),
    };
  }),
  driver("openDatabase", () => {
    const name = unique("db");
    return { manager: openDatabase(name, 1, { upgrade: (db) => db.createObjectStore("s") }), isOpen: dbIsOpen };
  }),
  {
    name: "transaction",
    run: (use) =>
      withDatabase((db) =>
        use({
          manager: transaction(db, "s", "readwrite"),
          isOpen: txIsOpen,
          sabotage: (tx: Promised<IDBTransaction>) => tx.abort(),
        }),
      ),
    releaseCanFail: true, // aborted from outside: the success path must not pretend it committed
  },
  driver("objectURL", () => ({
    manager: objectURL(new Blob(["x"])),
    isOpen: (url: string) =>
      fetch(url).then(
        () => true,
        () => false,
      ),
  })),
  driver("broadcastChannel", () => ({
    manager: broadcastChannel(unique("channel")),
    isOpen: (channel: BroadcastChannel) => {
      try {
        channel.postMessage("ping");
        return true;
      } catch {
        return false;
      }
    },
  })),
  driver("abortScope", () => ({ manager: abortScope(), isOpen: (signal: AbortSignal) => !signal.aborted })),
];

testResourceManagers({ describe, it, expect, asyncWith }, drivers);
