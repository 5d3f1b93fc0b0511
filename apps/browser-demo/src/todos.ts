// The to-do store: a draft in memory, saved to IndexedDB under a Web Lock (so that two tabs never
// interleave) and inside one transaction (so that a failing save changes nothing).
import { asyncWith } from "@asyncwith/core";
import { openDatabase, transaction, webLock } from "@asyncwith/browser";

export interface SaveOptions {
  /** Throw after writing half of the items. */
  fail?: boolean;
  /** Called while holding the lock, before the transaction (the check uses it to make saves overlap). */
  holding?: () => Promise<void>;
}

const database = () =>
  openDatabase("todos", 1, {
    upgrade(db) {
      db.createObjectStore("items", { keyPath: "position" });
      db.createObjectStore("log", { autoIncrement: true });
    },
  });

/** Replaces the stored list with `items`, under the lock; each save logs its start and its end. */
export function save(page: string, items: string[], { fail = false, holding }: SaveOptions = {}): Promise<void> {
  return asyncWith([webLock("todos-save"), database()], async ([, db]) => {
    await log(db, `${page} start`);
    try {
      await holding?.(); // outside the transaction: awaiting other work inside one would commit it early
      await asyncWith(transaction(db, "items", "readwrite"), async (tx) => {
        const store = tx.objectStore("items");
        await store.clear();
        for (const [position, text] of items.entries()) {
          if (fail && position === Math.floor(items.length / 2))
            throw new Error(`the save failed halfway, after ${position} of ${items.length} items`);
          await store.put({ position, text });
        }
      });
    } finally {
      await log(db, `${page} end`);
    }
  });
}

/** What IndexedDB holds now. */
export const stored = (): Promise<string[]> =>
  asyncWith(database(), (db) =>
    asyncWith(transaction(db, "items"), async (tx) =>
      ((await tx.objectStore("items").getAll()) as { text: string }[]).map((item) => item.text),
    ),
  );

/** Every save's start and end, in order. */
export const saveLog = (): Promise<string[]> =>
  asyncWith(database(), (db) => asyncWith(transaction(db, "log"), (tx) => tx.objectStore("log").getAll()));

const log = (db: IDBDatabase, line: string) =>
  asyncWith(transaction(db, "log", "readwrite"), (tx) => tx.objectStore("log").add(line));
