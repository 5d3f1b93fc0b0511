import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import {
  chownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import { asyncWith } from "@asyncwith/core";
import { afterEach, describe, expect, it } from "vitest";
import { fileLock } from "../src/index.ts";
import { stress } from "../stress/file-lock.mjs";
import { boom, lockHeld, lockHolder, nobody, scratch } from "./helpers.ts";

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

/** This process's PID namespace and boot, as a lock record states them. */
const here = () => ({
  host: hostname(),
  pidns: readlinkSync("/proc/self/ns/pid"),
  boot: readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim(),
});

/** A lock directory with `held.1` written as `record` (another process's lock), aged `age` ms. */
function planted(path: string, record: object, age = 0) {
  const dir = `${path}.lock`;
  mkdirSync(dir);
  writeFileSync(join(dir, "asyncwith-lock"), "");
  writeFileSync(join(dir, "held.1"), JSON.stringify({ since: "then", ...record }));
  const then = new Date(Date.now() - age);
  utimesSync(join(dir, "held.1"), then, then);
  return dir;
}

const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!;

describe("fileLock", () => {
  it("holds ${path}.lock with this process's record for the block, and marks it released after", async () => {
    const path = join(scratch(), "state.json");
    const held = await asyncWith(fileLock(path), (lock) => {
      expect(lock.lockPath).toBe(`${path}.lock`);
      expect(lockHeld(lock.lockPath)).toBe(true);
      expect(lockHolder(lock.lockPath)).toMatchObject({ pid: process.pid, host: hostname() });
      return lock;
    });
    expect(lockHeld(held.lockPath)).toBe(false);
    expect(held.signal.aborted).toBe(false);
    expect(readdirSync(held.lockPath).sort()).toEqual(["asyncwith-lock", "held.1", "released.1"]); // no drafts
  });

  it("releases when the block throws, rethrowing the same error", async () => {
    const path = join(scratch(), "x");
    const error = boom();
    await expect(asyncWith(fileLock(path), () => Promise.reject(error))).rejects.toBe(error);
    expect(lockHeld(`${path}.lock`)).toBe(false);
  });

  it("fails clearly without waiting when another process holds it (wait: false)", async () => {
    const path = join(scratch(), "x");
    const other = await holder(path);
    await expect(asyncWith(fileLock(path, { wait: false }), () => {})).rejects.toMatchObject({
      code: "ELOCKED",
      message: expect.stringMatching(
        new RegExp(`^Expected the lock at .*x\\.lock to be free, got one held by pid ${other.pid} on `),
      ),
    });
  });

  it("waits while another process holds it, and gets it once that process lets go", async () => {
    const path = join(scratch(), "x");
    const other = await holder(path);
    let entered = false;
    const waiting = asyncWith(fileLock(path, { retryInterval: 5 }), () => {
      entered = true;
      return lockHolder(`${path}.lock`).pid;
    });
    const released = once(other.stdout!, "data");
    expect(entered).toBe(false);
    other.stdin!.end("go\n");
    expect(String((await released)[0])).toBe("released\n");
    expect(await waiting).toBe(process.pid);
  });

  it("two tasks of this process waiting on another process's lock each get it in turn, neither told 'held by this process'", async () => {
    const path = join(scratch(), "x");
    const other = await holder(path);
    const order: string[] = [];
    const task = (name: string) =>
      asyncWith(fileLock(path, { retryInterval: 5 }), async () => {
        order.push(`${name} in`);
        await Promise.resolve();
        order.push(`${name} out`);
      });
    const both = Promise.all([task("a"), task("b")]);
    await expect(asyncWith(fileLock(path, { wait: false }), () => {})).rejects.toMatchObject({
      code: "ELOCKED",
      message: expect.stringContaining(`pid ${other.pid}`),
    });
    other.stdin!.end("go\n");
    await both;
    expect(order.join(" ")).toMatch(/^(a in a out b in b out|b in b out a in a out)$/);
  });

  it("lets a waiter give up with an AbortSignal (rejecting with its reason), leaving no draft behind", async () => {
    const path = join(scratch(), "x");
    await holder(path);
    const controller = new AbortController();
    const waiting = asyncWith(fileLock(path, { signal: controller.signal, retryInterval: 5 }), () => {});
    const reason = new Error("gave up");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(readdirSync(`${path}.lock`).sort()).toEqual(["asyncwith-lock", "held.1"]); // the holder's lock, untouched
  });

  it("honours the enter's signal too (asyncWith(…, { signal }), a timeout scope's): the waiter gives up with its reason", async () => {
    const path = join(scratch(), "x");
    await holder(path);
    const controller = new AbortController();
    const waiting = asyncWith(fileLock(path, { retryInterval: 5 }), () => {}, { signal: controller.signal });
    const reason = new Error("the caller's deadline");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(readdirSync(`${path}.lock`).sort()).toEqual(["asyncwith-lock", "held.1"]);
  });

  it("takes over at once from a holder that was killed, and records which rule fired", async () => {
    const path = join(scratch(), "x");
    const other = await holder(path);
    other.kill("SIGKILL");
    await once(other, "exit");
    const record = await asyncWith(fileLock(path, { wait: false }), (lock) => lockHolder(lock.lockPath));
    expect(record).toMatchObject({
      pid: process.pid,
      takeover: { from: { pid: other.pid }, why: `its holder, pid ${other.pid}, is no longer running on this host` },
    });
  });

  describe("holder identity (#23)", () => {
    it("another thread of this process never takes the lock of a live holder (a worker thread once did, in 8 ms)", async () => {
      const path = join(scratch(), "x");
      await asyncWith(fileLock(path), async () => {
        const worker = new Worker(fixture("lock-in-worker.mjs"), { workerData: { path } });
        const [outcome] = await once(worker, "message");
        expect(outcome).toBe("ELOCKED");
        await worker.terminate();
      });
    });

    it("the package's CommonJS and ESM copies in one process know each other's locks", async () => {
      const path = join(scratch(), "x");
      const cjs = createRequire(import.meta.url)("../dist/index.cjs") as typeof import("../src/index.ts");
      await asyncWith(fileLock(path), async () => {
        await expect(asyncWith(cjs.fileLock(path, { wait: false }), () => "entered")).rejects.toMatchObject({
          code: "ELOCKED",
          message: expect.stringContaining("held by this process"),
        });
      });
      expect(await asyncWith(cjs.fileLock(path, { wait: false }), () => "entered")).toBe("entered");
    });

    it("a live holder on this host is never taken over, frozen or not, whatever `stale` the waiter uses", async () => {
      const sleeper = spawn("sleep", ["60"]);
      children.push(sleeper);
      await once(sleeper, "spawn");
      const start = readFileSync(`/proc/${sleeper.pid}/stat`, "utf8").split(") ")[1]!.split(" ")[19];
      sleeper.kill("SIGSTOP"); // frozen: no heartbeat would ever come
      const path = join(scratch(), "x");
      planted(path, { pid: sleeper.pid, start, ...here(), stale: 2_000 }, 600_000); // heartbeat ten minutes old
      await expect(asyncWith(fileLock(path, { wait: false, stale: 2_000 }), () => {})).rejects.toMatchObject({
        code: "ELOCKED",
      });
    });

    it("a holder whose pid now belongs to a later process (start time differs) is gone: taken over at once", async () => {
      const path = join(scratch(), "x");
      planted(path, { pid: process.pid === 1 ? 2 : 1, start: "1", ...here() }); // pid 1 runs, but not since tick 1
      const record = await asyncWith(fileLock(path, { wait: false }), (lock) => lockHolder(lock.lockPath));
      expect(record.takeover?.why).toMatch(/is no longer running on this host$/);
    });

    it("elsewhere, the holder's own longer `stale` counts: a waiter with a shorter one does not take it over", async () => {
      const path = join(scratch(), "x");
      planted(path, { pid: 1, host: "elsewhere", stale: 600_000 }, 120_000); // beat 2 minutes ago, stale after 10
      await expect(asyncWith(fileLock(path, { wait: false, stale: 60_000 }), () => {})).rejects.toMatchObject({
        code: "ELOCKED",
      });
    });
  });

  it("trusts 'pid not running' only in this host's PID namespace and boot: elsewhere the heartbeat decides", async () => {
    const pid = deadPid();
    for (const [i, elsewhere] of [{ pidns: "pid:[1]" }, { boot: "another-boot" }, { host: "elsewhere" }].entries()) {
      const path = join(scratch(), `x${i}`);
      planted(path, { pid, ...here(), ...elsewhere });
      await expect(asyncWith(fileLock(path, { wait: false }), () => {})).rejects.toMatchObject({ code: "ELOCKED" });
    }
    const path = join(scratch(), "same");
    planted(path, { pid, ...here() });
    await asyncWith(fileLock(path, { wait: false }), () => {});
  });

  it("takes over a lock from another host only when its heartbeat is older than `stale`, and says so", async () => {
    const path = join(scratch(), "x");
    planted(path, { pid: 1, host: "elsewhere" }, 120_000);
    const record = await asyncWith(fileLock(path, { wait: false, stale: 60_000 }), (lock) => lockHolder(lock.lockPath));
    expect(record.takeover?.why).toMatch(/^its holder's heartbeat was \d+ ms old \(stale after 60000 ms\)$/);
  });

  it("when taken over while held: aborts the holder's signal and fails the exit, saying who took it and why", async () => {
    const path = join(scratch(), "x");
    const result = asyncWith(fileLock(path, { stale: 2_000 }), async (lock) => {
      const taker = {
        pid: 4242,
        host: "elsewhere",
        since: "now",
        takeover: { from: { pid: process.pid }, why: "its holder's heartbeat was 9999 ms old (stale after 2000 ms)" },
      };
      writeFileSync(join(lock.lockPath, "held.2"), JSON.stringify(taker)); // as a takeover creates it
      await once(lock.signal, "abort");
      expect(lock.signal.reason.message).toMatch(
        /was lost while held: pid 4242 on elsewhere took it over at now because its holder's heartbeat was 9999 ms old/,
      );
    });
    await expect(result).rejects.toMatchObject({
      code: "ELOCKLOST",
      message: expect.stringMatching(/was lost while held: pid 4242 on elsewhere took it over/),
    });
  });

  it("when its files are removed while held: the exit says the lock was lost, never a raw ENOENT", async () => {
    const path = join(scratch(), "x");
    const result = asyncWith(fileLock(path), (lock) => rmSync(lock.lockPath, { recursive: true }));
    await expect(result).rejects.toMatchObject({
      code: "ELOCKLOST",
      message: expect.stringContaining("was lost while held: its lock files were removed"),
    });
  });

  it("is not re-entrant: locking a path this process holds fails at once instead of waiting forever", async () => {
    const path = join(scratch(), "x");
    await asyncWith(fileLock(path), async () => {
      await expect(asyncWith(fileLock(path), () => {})).rejects.toMatchObject({
        code: "ELOCKED",
        message: expect.stringContaining("held by this process"),
      });
    });
    await asyncWith(fileLock(path), () => {}); // and the failed attempt left nothing behind
  });

  it("resolves the path once, at the call: chdir in the block changes nothing, and a symlink locks its target", async () => {
    const dir = scratch();
    const before = process.cwd();
    process.chdir(dir);
    const manager = fileLock("state");
    process.chdir(before);
    await asyncWith(manager, (lock) => {
      expect(lock.lockPath).toBe(join(dir, "state.lock"));
      process.chdir(dirname(dir));
    });
    process.chdir(before);
    expect(lockHeld(join(dir, "state.lock"))).toBe(false);

    writeFileSync(join(dir, "target"), "");
    symlinkSync(join(dir, "target"), join(dir, "link"));
    symlinkSync(join(dir, "nowhere-yet"), join(dir, "dangling"));
    await holder(join(dir, "target"));
    await expect(asyncWith(fileLock(join(dir, "link"), { wait: false }), () => {})).rejects.toMatchObject({
      code: "ELOCKED",
    });
    await holder(join(dir, "nowhere-yet"));
    await expect(asyncWith(fileLock(join(dir, "dangling"), { wait: false }), () => {})).rejects.toMatchObject({
      code: "ELOCKED",
    });
  });

  it("cleans drafts that killed waiters left, and refuses a foreign lock in the way with a clear error", async () => {
    const path = join(scratch(), "x");
    const dir = planted(path, { pid: deadPid(), ...here() });
    writeFileSync(join(dir, "draft.0123456789abcdef"), JSON.stringify({ pid: deadPid(), ...here(), since: "then" }));
    await asyncWith(fileLock(path), () => {});
    expect(readdirSync(dir).filter((name) => name.startsWith("draft."))).toEqual([]);

    const foreign = join(scratch(), "y");
    mkdirSync(`${foreign}.lock`); // proper-lockfile's shape: an empty directory
    const old = new Date(Date.now() - 5_000);
    utimesSync(`${foreign}.lock`, old, old);
    await expect(asyncWith(fileLock(foreign), () => {})).rejects.toMatchObject({
      code: "EFOREIGNLOCK",
      message: expect.stringContaining("proper-lockfile"),
    });
    writeFileSync(`${foreign}2.lock`, "");
    await expect(asyncWith(fileLock(`${foreign}2`), () => {})).rejects.toMatchObject({
      code: "EFOREIGNLOCK",
      message: expect.stringContaining("got a file"),
    });
  });

  it("takes back an empty, unmarked lock directory untouched for `stale` (its maker was killed before marking it)", async () => {
    const base = scratch();
    const path = join(base, "x");
    mkdirSync(`${path}.lock`); // what a kill -9 between mkdir and the marker's write leaves
    const old = new Date(Date.now() - 3_000);
    utimesSync(`${path}.lock`, old, old);
    await asyncWith(fileLock(path, { stale: 2_000 }), () => {});
    expect(readdirSync(`${path}.lock`).sort()).toEqual(["asyncwith-lock", "held.1", "released.1"]);
    mkdirSync(join(base, "y.lock", "inside"), { recursive: true }); // not empty: another tool's, kept
    utimesSync(join(base, "y.lock"), old, old);
    await expect(asyncWith(fileLock(join(base, "y"), { stale: 2_000 }), () => {})).rejects.toMatchObject({
      code: "EFOREIGNLOCK",
    });
  });

  it("reads entries without following links or blocking: a FIFO or a symlink as `held.N` counts only by its age", async () => {
    const base = scratch();
    const path = join(base, "x");
    const dir = `${path}.lock`;
    mkdirSync(dir);
    writeFileSync(join(dir, "asyncwith-lock"), "");
    expect(spawnSync("mkfifo", [join(dir, "held.1")]).status).toBe(0);
    await expect(asyncWith(fileLock(path, { wait: false }), () => {})).rejects.toMatchObject({
      code: "ELOCKED",
      message: expect.stringContaining("an unknown holder"),
    });
    const old = new Date(Date.now() - 5_000);
    utimesSync(join(dir, "held.1"), old, old);
    await asyncWith(fileLock(path, { stale: 2_000 }), () => {});
    expect(readdirSync(dir)).toContain("released.2");

    const target = join(base, "someone-elses");
    writeFileSync(target, "{}");
    utimesSync(target, old, old);
    symlinkSync(target, join(dir, "held.3"));
    await expect(asyncWith(fileLock(path, { wait: false }), () => {})).rejects.toMatchObject({ code: "ELOCKED" });
  });

  it("refuses a lock directory another user owns, or a link in its place, saying why", async () => {
    const base = scratch();
    const path = join(base, "x");
    mkdirSync(`${path}.lock`);
    writeFileSync(join(`${path}.lock`, "asyncwith-lock"), "");
    chownSync(`${path}.lock`, nobody.uid, nobody.gid);
    await expect(asyncWith(fileLock(path), () => {})).rejects.toMatchObject({
      code: "EFOREIGNLOCK",
      message: expect.stringContaining(`got one owned by uid ${nobody.uid}`),
    });
    mkdirSync(join(base, "elsewhere"));
    symlinkSync(join(base, "elsewhere"), join(base, "y.lock"));
    await expect(asyncWith(fileLock(join(base, "y")), () => {})).rejects.toMatchObject({
      code: "EFOREIGNLOCK",
      message: expect.stringContaining("got a symbolic link"),
    });
  });

  it("excludes for real: 4 processes × 10 read-modify-write increments of one file give 40", async () => {
    const file = join(scratch(), "counter");
    writeFileSync(file, "0");
    const run = promisify(execFile);
    await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, [fixture("lock-counter.mjs"), file, "10"])),
    );
    expect(readFileSync(file, "utf8")).toBe("40");
    expect(lockHeld(`${file}.lock`)).toBe(false);
  });

  it("never two holders, with holders SIGKILLed and frozen at random, mixed stale, both builds, worker threads (the short form of `pnpm stress`)", async () => {
    const result = await stress({ workers: 4, increments: 40, kills: 6, freezes: 1 });
    expect(result).toMatchObject({ ok: true, overlaps: 0, missing: 0, doubled: 0, failures: 0 });
    expect(result.kills).toBeGreaterThan(0);
  }, 60_000);

  it("rejects bad options, naming them", () => {
    expect(() => fileLock("x", { stale: -1 })).toThrow(
      "Expected fileLock() options.stale to be a non-negative number of milliseconds, got -1",
    );
    expect(() => fileLock("x", { stale: 500 })).toThrow(
      "Expected fileLock() options.stale to be at least 2000 ms (a shorter one lets a busy event loop lose its lock), got 500",
    );
    expect(() => fileLock("x", { signal: "no" as never })).toThrow(
      'Expected fileLock() options.signal to be an AbortSignal, got "no"',
    );
  });
});
