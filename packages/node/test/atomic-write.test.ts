import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { atomicWrite } from "../src/index.ts";
import { asNobody, boom, finished, nobody, scratch } from "./helpers.ts";

const hang = fileURLToPath(new URL("./fixtures/atomic-hang.mjs", import.meta.url));

describe("atomicWrite", () => {
  it("replaces the target and leaves nothing else behind", async () => {
    const dir = scratch();
    const target = join(dir, "report.json");
    writeFileSync(target, "old");
    await asyncWith(atomicWrite(target), (file) => file.writeFile('{"new":true}'));
    expect(readFileSync(target, "utf8")).toBe('{"new":true}');
    expect(readdirSync(dir)).toEqual(["report.json"]);
  });

  it("keeps an existing file's mode, and gives a new file the requested one", async () => {
    const dir = scratch();
    const existing = join(dir, "secret");
    writeFileSync(existing, "old");
    chmodSync(existing, 0o600);
    await asyncWith(atomicWrite(existing, { mode: 0o644 }), (file) => file.writeFile("new"));
    expect(statSync(existing).mode & 0o777).toBe(0o600);
    await asyncWith(atomicWrite(join(dir, "fresh"), { mode: 0o640 }), (file) => file.writeFile("new"));
    expect(statSync(join(dir, "fresh")).mode & 0o777).toBe(0o640);
  });

  it("when the block throws: the target is byte for byte as it was, no temp file remains, the same error surfaces", async () => {
    const dir = scratch();
    const target = join(dir, "data.bin");
    const before = Buffer.from([0, 1, 2, 255, 254]);
    writeFileSync(target, before);
    const error = boom();
    const result = asyncWith(atomicWrite(target), async (file) => {
      await file.write("half of the new content");
      throw error;
    });
    await expect(result).rejects.toBe(error);
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(["data.bin"]);
  });

  it("with { stream: true } gives a Writable and waits for every byte", async () => {
    const target = join(scratch(), "big.bin");
    const chunk = Buffer.alloc(64 * 1024, 3);
    await asyncWith(atomicWrite(target, { stream: true }), (out) => {
      for (let i = 0; i < 128; i++) out.write(chunk);
    });
    expect(statSync(target).size).toBe(128 * chunk.length);
  });

  it("cleans up and throws when the commit itself fails (a directory took the target's name meanwhile)", async () => {
    const dir = scratch();
    const failed = asyncWith(atomicWrite(join(dir, "taken")), async (file) => {
      await file.writeFile("x");
      mkdirSync(join(dir, "taken"));
    });
    await expect(failed).rejects.toMatchObject({ code: "EISDIR", path: join(dir, "taken") });
    await expect(failed).rejects.not.toThrow(".tmp"); // errors name the target, never our temp file
    expect(readdirSync(dir)).toEqual(["taken"]);
  });

  it("runs concurrent writes to one path one at a time: the result is one whole write, never a mix", async () => {
    const target = join(scratch(), "shared.txt");
    let active = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        asyncWith(atomicWrite(target), async (file) => {
          most = Math.max(most, ++active);
          await file.write(`writer ${i} part 1;`);
          await file.write(`writer ${i} part 2`);
          active--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(readFileSync(target, "utf8")).toMatch(/^writer (\d+) part 1;writer \1 part 2$/);
  });

  it("after kill -9 mid-write: the old file is intact, and the next write removes the stale temp file", async () => {
    const dir = scratch();
    const target = join(dir, "state.txt");
    writeFileSync(target, "OLD-COMPLETE");
    const child = spawn(process.execPath, [hang, target], { stdio: ["ignore", "pipe", "inherit"] });
    await once(child.stdout!, "data");
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(readFileSync(target, "utf8")).toBe("OLD-COMPLETE");
    const [stale] = readdirSync(dir).filter((name) => name !== "state.txt");
    const tag = new RegExp(`^\\.state\\.txt\\.aw([0-9a-f]{16})-${child.pid}-[0-9a-f]{12}\\.tmp$`).exec(stale!)?.[1];
    expect(tag).toBeDefined();

    // Kept: a live pid of ours (pid 1), and a dead pid from another PID namespace or boot (another
    // container sharing the volume: its pid says nothing here). Removed: any dead writer of ours.
    const otherSpace = `${tag!.slice(0, 8)}00000000`;
    const alive = `.state.txt.aw${tag}-1-${"a".repeat(12)}.tmp`;
    const foreign = `.state.txt.aw${otherSpace}-${child.pid}-${"b".repeat(12)}.tmp`;
    const otherTarget = `.other.aw${tag}-${child.pid}-${"c".repeat(12)}.tmp`;
    for (const name of [alive, foreign, otherTarget]) writeFileSync(join(dir, name), "x");
    await asyncWith(atomicWrite(target), (file) => file.writeFile("NEW-COMPLETE"));
    expect(readFileSync(target, "utf8")).toBe("NEW-COMPLETE");
    expect(readdirSync(dir).sort()).toEqual([foreign, alive, "state.txt"].sort());

    // The directory is listed once per process, not on every write.
    writeFileSync(join(dir, otherTarget), "x");
    await asyncWith(atomicWrite(target), (file) => file.writeFile("AGAIN"));
    expect(readdirSync(dir)).toContain(otherTarget);
  });

  it("never deletes the temp file of a writer that is still running", async () => {
    const dir = scratch();
    const target = join(dir, "state.txt");
    const child = spawn(process.execPath, [hang, target], { stdio: ["ignore", "pipe", "inherit"] });
    await once(child.stdout!, "data");
    const [live] = readdirSync(dir);
    await asyncWith(atomicWrite(target), (file) => file.writeFile("mine"));
    expect(readdirSync(dir).sort()).toEqual([live, "state.txt"].sort());
    child.kill("SIGKILL");
    await once(child, "exit");
  });

  it("writes through a symlink: the link stays a link, its target gets the new content", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "real.json"), "old");
    symlinkSync("real.json", join(dir, "link.json"));
    symlinkSync(join(dir, "not-yet.json"), join(dir, "dangling.json"));
    await asyncWith(atomicWrite(join(dir, "link.json")), (file) => file.writeFile("new"));
    await asyncWith(atomicWrite(join(dir, "dangling.json")), (file) => file.writeFile("created"));
    expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "link.json"))).toBe("real.json");
    expect(readFileSync(join(dir, "real.json"), "utf8")).toBe("new");
    expect(lstatSync(join(dir, "dangling.json")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "not-yet.json"), "utf8")).toBe("created");
  });

  it("as root over another user's file: keeps its owner, group and mode", async () => {
    const target = join(scratch(), "theirs");
    writeFileSync(target, "old");
    chownSync(target, nobody.uid, nobody.gid);
    chmodSync(target, 0o640);
    await asyncWith(atomicWrite(target), (file) => file.writeFile("new"));
    const info = statSync(target);
    expect([info.uid, info.gid, info.mode & 0o777, readFileSync(target, "utf8")]).toEqual([
      nobody.uid,
      nobody.gid,
      0o640,
      "new",
    ]);
  });

  it("works with names up to NAME_MAX (255 bytes, multibyte too): the temp name never exceeds it", async () => {
    const dir = scratch();
    for (const name of ["n".repeat(255), "é".repeat(127)]) {
      await asyncWith(atomicWrite(join(dir, name)), (file) => file.writeFile(name));
      expect(readFileSync(join(dir, name), "utf8")).toBe(name);
    }
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it("once the rename happened, a failing directory fsync says the new content is in place", async () => {
    // As nobody in a directory it may write and enter but not read: fsync of it cannot open it.
    const dir = join(scratch(), "write-only");
    mkdirSync(dir);
    chmodSync(join(dir, ".."), 0o755);
    chownSync(dir, nobody.uid, nobody.gid);
    chmodSync(dir, 0o333);
    const child = asNobody(
      `
      import { asyncWith } from "@asyncwith/core";
      import { atomicWrite } from "@asyncwith/node";
      await asyncWith(atomicWrite(process.argv[2]), (file) => file.writeFile("new")).catch((error) => console.log(error.message));
    `,
      [join(dir, "target")],
    );
    const { stdout } = await finished(child);
    expect(stdout).toMatch(
      new RegExp(
        `^The new content of ${dir}/target is in place, but making the replacement durable \\(fsync of its directory\\) failed: EACCES`,
      ),
    );
    expect(readFileSync(join(dir, "target"), "utf8")).toBe("new");
  });

  it("never lets another user read the new content: a second user watching the directory for 10 s reads nothing", async () => {
    const dir = scratch();
    chmodSync(dir, 0o755);
    const target = join(dir, "secret");
    writeFileSync(target, "");
    chmodSync(target, 0o600);
    const watcher = asNobody(
      `
      import { openSync, readdirSync, readSync, watch } from "node:fs";
      import { join } from "node:path";
      const dir = process.argv[2];
      const fds = [];
      const grab = (name) => { try { fds.push(openSync(join(dir, name), "r")); } catch {} };
      watch(dir, (_event, name) => name && grab(name));
      const poll = () => { for (const name of readdirSync(dir)) grab(name); setImmediate(poll); };
      poll();
      process.stdout.write("watching\\n");
      process.stdin.once("data", () => {
        let read = 0;
        const buffer = Buffer.alloc(1 << 16);
        for (const fd of fds) for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) read += n;
        process.stdout.write(JSON.stringify({ opened: fds.length, read }) + "\\n");
        process.exit(0);
      });
    `,
      [dir],
    );
    const result = finished(watcher);
    await once(watcher.stdout!, "data");
    let writes = 0;
    for (const end = Date.now() + 10_000; Date.now() < end; writes++) {
      await asyncWith(atomicWrite(target, { fsync: false }), (file) => file.writeFile(`SECRET ${writes} `.repeat(64)));
    }
    watcher.stdin!.end("report\n");
    const { stdout } = await result;
    expect(JSON.parse(stdout.split("\n")[1]!)).toEqual({ opened: 0, read: 0 });
    expect(writes).toBeGreaterThan(100);
    expect(statSync(target).mode & 0o777).toBe(0o600);
  }, 30_000);

  it("rejects bad input at once", () => {
    expect(() => atomicWrite(undefined as never)).toThrow("Expected atomicWrite() to be given a path");
    expect(() => atomicWrite("x", { mode: 0o10000 })).toThrow(
      "Expected atomicWrite() options.mode to be a file mode such as 0o644, got 4096",
    );
  });
});

it("uses an exited process's pid as dead in the stale check (sanity of the fixture)", () => {
  const { pid } = spawnSync(process.execPath, ["-e", "0"]);
  expect(() => process.kill(pid!, 0)).toThrow();
  expect(existsSync(hang)).toBe(true);
});

it("with { stream: true } and a throwing block: the target is intact and the temp file gone", async () => {
  const dir = scratch();
  const target = join(dir, "t.bin");
  writeFileSync(target, "before");
  const error = boom();
  await expect(
    asyncWith(atomicWrite(target, { stream: true }), (out) => {
      for (let i = 0; i < 64; i++) out.write(Buffer.alloc(64 * 1024, 1)); // writes still in flight when it throws
      throw error;
    }),
  ).rejects.toBe(error);
  expect(readFileSync(target, "utf8")).toBe("before");
  expect(readdirSync(dir)).toEqual(["t.bin"]);
});

it("after the rename, an unsupported directory fsync (EINVAL, ENOTSUP) is ignored; anything else says the new content is in place", async () => {
  // No writable file system here refuses a directory fsync with EINVAL, so the decision itself is
  // tested; the EACCES test above runs the same path for real.
  const { _committed } = await import("../src/atomic-write.ts");
  const fail = (code: string) => Object.assign(new Error(`${code}: fsync`), { code });
  for (const code of ["EINVAL", "ENOTSUP", "EOPNOTSUPP"]) expect(_committed("/x/t")(fail(code))).toBeUndefined();
  expect(() => _committed("/x/t")(fail("EIO"))).toThrow(
    expect.objectContaining({ code: "EIO", message: expect.stringMatching(/^The new content of \/x\/t is in place/) }),
  );
});
