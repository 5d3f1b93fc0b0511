import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { asyncWith } from "@asyncwith/core";
import { afterEach, describe, expect, it } from "vitest";
import { fileLock } from "../src/index.ts";
import { boom, scratch } from "./helpers.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((child) => child.kill("SIGKILL")));

/** A real second process holding the lock until told to let go. */
async function holder(path: string) {
  const child = spawn(process.execPath, [fixture("lock-holder.mjs"), path], { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  const [line] = await once(child.stdout!, "data");
  expect(String(line)).toBe("locked\n");
  return child;
}

describe("fileLock", () => {
  it("holds ${path}.lock with this process's pid for the block and removes it after", async () => {
    const path = join(scratch(), "state.json");
    const held = await asyncWith(fileLock(path), (lock) => {
      expect(lock.lockPath).toBe(`${path}.lock`);
      expect(JSON.parse(readFileSync(lock.lockPath, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
      return lock;
    });
    expect(existsSync(held.lockPath)).toBe(false);
    expect(held.signal.aborted).toBe(false);
    expect(readdirSync(join(path, ".."))).toEqual([]); // no draft or leftover files
  });

  it("releases when the block throws, rethrowing the same error", async () => {
    const path = join(scratch(), "x");
    const error = boom();
    await expect(asyncWith(fileLock(path), () => Promise.reject(error))).rejects.toBe(error);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("fails clearly without waiting when another process holds it (wait: false)", async () => {
    const path = join(scratch(), "x");
    const other = await holder(path);
    await expect(asyncWith(fileLock(path, { wait: false }), () => {})).rejects.toMatchObject({
      code: "ELOCKED",
      message: expect.stringMatching(new RegExp(`^Expected the lock at .*x\\.lock to be free, got one held by pid ${other.pid} on `)),
    });
  });

  it("waits while another process holds it, and gets it once that process lets go", async () => {
    const path = join(scratch(), "x");
    const other = await holder(path);
    let entered = false;
    const waiting = asyncWith(fileLock(path, { retryInterval: 5 }), () => {
      entered = true;
      return JSON.parse(readFileSync(`${path}.lock`, "utf8")).pid;
    });
    const released = once(other.stdout!, "data");
    expect(entered).toBe(false);
    other.stdin!.end("go\n");
    expect(String((await released)[0])).toBe("released\n");
    expect(await waiting).toBe(process.pid);
  });

  it("lets a waiter give up with an AbortSignal (rejecting with its reason), leaving no files behind", async () => {
    const dir = scratch();
    const path = join(dir, "x");
    await holder(path);
    const controller = new AbortController();
    const waiting = asyncWith(fileLock(path, { signal: controller.signal, retryInterval: 5 }), () => {});
    const reason = new Error("gave up");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(readdirSync(dir)).toEqual(["x.lock"]); // the holder's lock, untouched
  });

  it("takes over at once from a holder that was killed (its pid no longer runs on this host)", async () => {
    const path = join(scratch(), "x");
    const other = await holder(path);
    other.kill("SIGKILL");
    await once(other, "exit");
    const pid = await asyncWith(fileLock(path, { wait: false }), (lock) => JSON.parse(readFileSync(lock.lockPath, "utf8")).pid);
    expect(pid).toBe(process.pid);
  });

  it("takes over a lock from another host only when its heartbeat is older than `stale`", async () => {
    const path = join(scratch(), "x");
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, host: "elsewhere", since: "then" }));
    await expect(asyncWith(fileLock(path, { wait: false, stale: 60_000 }), () => {})).rejects.toMatchObject({ code: "ELOCKED" });
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${path}.lock`, old, old);
    await asyncWith(fileLock(path, { wait: false, stale: 60_000 }), () => {});
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("aborts the holder's signal and fails the exit when another process took the lock over", async () => {
    const path = join(scratch(), "x");
    const result = asyncWith(fileLock(path, { stale: 300 }), async (lock) => {
      renameSync(lock.lockPath, `${lock.lockPath}.gone`); // as a takeover would
      writeFileSync(lock.lockPath, JSON.stringify({ pid: 1, host: "elsewhere", since: "now" }));
      await once(lock.signal, "abort");
      expect(lock.signal.reason.message).toMatch(/was lost while held/);
    });
    await expect(result).rejects.toThrow(/was lost while held: another process took it over/);
  });

  it("excludes for real: 4 processes × 10 read-modify-write increments of one file give 40", async () => {
    const file = join(scratch(), "counter");
    writeFileSync(file, "0");
    const run = promisify(execFile);
    await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, [fixture("lock-counter.mjs"), file, "10"])));
    expect(readFileSync(file, "utf8")).toBe("40");
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it("rejects bad options, naming them", () => {
    expect(() => fileLock("x", { stale: -1 })).toThrow("Expected fileLock() options.stale to be a non-negative number of milliseconds, got -1");
    expect(() => fileLock("x", { signal: "no" as never })).toThrow('Expected fileLock() options.signal to be an AbortSignal, got "no"');
  });
});
