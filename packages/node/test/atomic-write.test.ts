import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { atomicWrite } from "../src/index.ts";
import { boom, scratch } from "./helpers.ts";

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

  it("cleans up and throws when the commit itself fails (the target is a directory)", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "taken"));
    await expect(asyncWith(atomicWrite(join(dir, "taken")), (file) => file.writeFile("x"))).rejects.toMatchObject({ code: "EISDIR" });
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
    const stale = readdirSync(dir).filter((name) => name !== "state.txt");
    expect(stale).toEqual([expect.stringMatching(new RegExp(`^\\.state\\.txt\\.${child.pid}-[0-9a-f]{12}\\.tmp$`))]);

    writeFileSync(join(dir, `.state.txt.1-${"a".repeat(12)}.tmp`), "pid 1 is alive: not stale");
    await asyncWith(atomicWrite(target), (file) => file.writeFile("NEW-COMPLETE"));
    expect(readFileSync(target, "utf8")).toBe("NEW-COMPLETE");
    expect(readdirSync(dir).sort()).toEqual([`.state.txt.1-${"a".repeat(12)}.tmp`, "state.txt"]);
  });

  it("rejects bad input at once", () => {
    expect(() => atomicWrite(undefined as never)).toThrow("Expected atomicWrite() to be given a path");
    expect(() => atomicWrite("x", { mode: 0o10000 })).toThrow("Expected atomicWrite() options.mode to be a file mode such as 0o644, got 4096");
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
  await expect(asyncWith(atomicWrite(target, { stream: true }), (out) => {
    for (let i = 0; i < 64; i++) out.write(Buffer.alloc(64 * 1024, 1)); // writes still in flight when it throws
    throw error;
  })).rejects.toBe(error);
  expect(readFileSync(target, "utf8")).toBe("before");
  expect(readdirSync(dir)).toEqual(["t.bin"]);
});
