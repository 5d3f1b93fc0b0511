import { asyncWith, SuppressedError } from "@asyncwith/core";
import { describe, expect, it, vi } from "vitest";
import { openDatabase, transaction } from "../src/index.ts";
import { bank, freshName } from "./idb.ts";

describe("openDatabase (real IndexedDB in Chromium)", () => {
  it("gives the database after the upgrade, and closes it on exit", async () => {
    const db = await asyncWith(bank(), (db) => {
      expect([...db.objectStoreNames].sort()).toEqual(["accounts", "log"]);
      return db;
    });
    expect(() => db.transaction("accounts")).toThrow(/closing|closed/i);
  });

  it("an upgrade that throws aborts the version change: the enter rejects with that very error", async () => {
    const name = freshName();
    await asyncWith(openDatabase(name, 1, { upgrade: (db) => void db.createObjectStore("v1") }), () => {});
    const error = new Error("migration failed");
    let ran = false;
    await expect(
      asyncWith(
        openDatabase(name, 2, {
          upgrade: (db) => {
            db.createObjectStore("v2");
            throw error;
          },
        }),
        () => (ran = true),
      ),
    ).rejects.toBe(error);
    expect(ran).toBe(false);
    const [version, stores] = await asyncWith(openDatabase(name), (db) => [db.version, [...db.objectStoreNames]]);
    expect([version, stores]).toEqual([1, ["v1"]]);
  });

  it("refuses an async upgrade: the version change is aborted (no half schema) and the enter says upgrade must be synchronous", async () => {
    const name = freshName();
    await asyncWith(openDatabase(name, 1, { upgrade: (db) => void db.createObjectStore("v1") }), () => {});
    const upgrade = async (db: IDBDatabase) => {
      db.createObjectStore("v2-a");
      await new Promise((resolve) => setTimeout(resolve));
      db.createObjectStore("v2-b"); // would fail: the version change is over by now
    };
    // @ts-expect-error an async upgrade is a type error (NotAPromise)
    const opening = asyncWith(openDatabase(name, 2, { upgrade }), () => {});
    await expect(opening).rejects.toThrow(
      "Expected openDatabase() options.upgrade to be synchronous, got one returning a promise: IndexedDB ends a version change at its first foreign await",
    );
    await expect(opening).rejects.toBeInstanceOf(TypeError);
    const [version, stores] = await asyncWith(openDatabase(name), (db) => [db.version, [...db.objectStoreNames]]);
    expect([version, stores]).toEqual([1, ["v1"]]);
  });

  it("calls blocked while an older connection stays open", async () => {
    const name = freshName();
    const seen: unknown[] = [];
    await asyncWith(openDatabase(name, 1, { versionchange: "keep" }), async (old) => {
      const upgrading = asyncWith(
        openDatabase(name, 2, { blocked: (from, to) => (seen.push([from, to]), old.close()) }),
        (db) => db.version,
      );
      expect(await upgrading).toBe(2);
    });
    expect(seen).toEqual([[1, 2]]);
  });

  it("a blocked upgrade gives up with the enter's signal, and what the request did later is undone", async () => {
    const name = freshName();
    const controller = new AbortController();
    const reason = new Error("the caller gave up");
    let upgraded = false;
    await asyncWith(openDatabase(name, 1, { versionchange: "keep" }), async (old) => {
      let isBlocked!: () => void;
      const blocked = { promise: new Promise<void>((resolve) => (isBlocked = resolve)), resolve: () => isBlocked() };
      const upgrading = asyncWith(
        openDatabase(name, 2, { blocked: () => blocked.resolve(), upgrade: () => void (upgraded = true) }),
        () => "never",
        { signal: controller.signal },
      );
      await blocked.promise; // another connection keeps version 1 open: the upgrade waits
      controller.abort(reason);
      await expect(upgrading).rejects.toBe(reason);
      old.close(); // now the request proceeds: its version change must be aborted, not kept
    });
    const [version] = await asyncWith(openDatabase(name), (db) => [db.version]);
    expect([version, upgraded]).toEqual([1, false]);
  });

  it("by default gives way to another connection's upgrade: it closes, and a later transaction says why", async () => {
    const name = freshName();
    const store = { upgrade: (db: IDBDatabase) => void db.createObjectStore("s") };
    await asyncWith(openDatabase(name, 1, store), async (old) => {
      // Before: this upgrade stayed blocked for as long as the block held version 1 open.
      const version = await asyncWith(openDatabase(name, 2), (db) => db.version);
      expect(version).toBe(2);
      await expect(asyncWith(transaction(old, "s"), () => "never")).rejects.toMatchObject({
        name: "AbortError",
        message: `The database ${JSON.stringify(name)} was closed because another tab or connection wants to upgrade it to version 2. Reopen it (after a reload, for new code), or pass { versionchange: "keep" } to openDatabase() to keep it open.`,
      });
    });
  });

  it("giving way aborts the transaction blocks running on the connection, with the reason", async () => {
    const name = freshName();
    const store = { upgrade: (db: IDBDatabase) => void db.createObjectStore("s") };
    await asyncWith(openDatabase(name, 1, store), async (old) => {
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const block = asyncWith(transaction(old, "s", "readwrite"), async (tx) => {
        await tx.objectStore("s").put("written", "k");
        started();
        await tx.waitFor(new Promise(() => {})); // a block that would hold the connection for 60 s
      });
      const outcome = block.catch((e: unknown) => e); // it fails while the upgrade below goes on
      await running;
      // Before: the upgrade waited for that transaction, which waited for its waitFor's bound.
      const kept = await asyncWith(openDatabase(name, 2), (db) =>
        asyncWith(transaction(db, "s"), (tx) => tx.objectStore("s").count()),
      );
      expect(kept).toBe(0); // rolled back
      const error = (await outcome) as SuppressedError;
      expect(error).toBeInstanceOf(SuppressedError);
      expect([(error.error as DOMException).name, (error.error as DOMException).message]).toEqual([
        "AbortError",
        expect.stringContaining("was closed because another tab or connection wants to upgrade it to version 2"),
      ]);
      expect((error.suppressed as DOMException).name).toBe("AbortError"); // what the block's waitFor saw
    });
  });

  it("a blocked open without a blocked callback warns once, and gives up after its timeout", async () => {
    const name = freshName();
    const warned = vi.spyOn(console, "warn").mockImplementation(() => {});
    await asyncWith(openDatabase(name, 1, { versionchange: "keep" }), async () => {
      const upgrading = asyncWith(openDatabase(name, 2, { timeout: 50 }), () => "never");
      await expect(upgrading).rejects.toMatchObject({
        name: "TimeoutError",
        message: `openDatabase(${JSON.stringify(name)}) was still blocked after 50 ms (another tab or connection keeps an older version open), so it gave up.`,
      });
    });
    expect(warned.mock.calls).toEqual([
      [
        `[asyncwith] openDatabase(${JSON.stringify(name)}, 2) is blocked: another tab or connection keeps version 1 open. It waits until they close; pass { blocked } to tell the user, or { timeout } to give up.`,
      ],
    ]);
    warned.mockRestore();
    expect(await asyncWith(openDatabase(name), (db) => db.version)).toBe(1); // the upgrade was undone
  });

  it("gives up with options.signal, even one aborted before the open", async () => {
    const name = freshName();
    const reason = new Error("not any more");
    await expect(asyncWith(openDatabase(name, 1, { signal: AbortSignal.abort(reason) }), () => 1)).rejects.toBe(reason);
  });

  it("refuses options it cannot use, saying what it got", () => {
    expect(() => openDatabase("x", 1, { versionchange: "wait" as never })).toThrow(
      'Expected openDatabase() options.versionchange to be "close" or "keep", got "wait"',
    );
    expect(() => openDatabase("x", 1, { timeout: -1 })).toThrow(
      "Expected openDatabase() options.timeout to be a positive number of milliseconds, got -1",
    );
    expect(() => openDatabase("x", 1, { signal: {} as never })).toThrow(
      "Expected openDatabase() options.signal to be an AbortSignal, got an object",
    );
    expect(() => openDatabase("x", 1, 5 as never)).toThrow("Expected openDatabase() options to be an object, got 5");
    expect(() => openDatabase("x", 1, { upgrade: "v2" as never })).toThrow(
      'Expected openDatabase() options.upgrade to be a function, got "v2"',
    );
  });
});
