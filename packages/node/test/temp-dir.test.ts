import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { tempDir, tempFile } from "../src/index.ts";
import { asNobody, boom, finished, scratch } from "./helpers.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe("tempDir", () => {
  it("gives a fresh directory and removes it, contents and all, after the block", async () => {
    const path = await asyncWith(tempDir("build-", { dir: scratch() }), (dir) => {
      expect(statSync(dir).isDirectory()).toBe(true);
      mkdirSync(join(dir, "nested", "deeper"), { recursive: true });
      writeFileSync(join(dir, "nested", "deeper", "f"), "x");
      return dir;
    });
    expect(path).toMatch(/build-[^/]+$/);
    expect(existsSync(path)).toBe(false);
  });

  it("removes it when the block throws, rethrowing the same error", async () => {
    const error = boom();
    let path = "";
    await expect(asyncWith(tempDir(), (dir) => ((path = dir), Promise.reject(error)))).rejects.toBe(error);
    expect(path).not.toBe("");
    expect(existsSync(path)).toBe(false);
  });

  it("never leaves its tree: a subdirectory swapped for a link to another directory mid-removal deletes nothing there", async () => {
    const base = scratch();
    const outside = join(base, "outside");
    mkdirSync(outside);
    for (let i = 0; i < 20; i++) writeFileSync(join(outside, `keep-${i}`), "x");
    const outcomes = new Set<string>();
    for (let round = 0; round < 10; round++) {
      let racer: ChildProcess | undefined;
      const removal = asyncWith(tempDir("raced-", { dir: base }), async (dir) => {
        mkdirSync(join(dir, "sub"));
        for (let i = 0; i < 300; i++) writeFileSync(join(dir, "sub", `f-${i}`), "x");
        racer = spawn(process.execPath, [fixture("swap-for-link.mjs"), dir, outside], { stdio: "pipe" });
        await once(racer.stdout!, "data");
      });
      // The racer keeps renaming inside the tree: a removal may report what it left, clearly.
      outcomes.add(
        await removal.then(
          () => "removed",
          (error: Error) => error.message.replace(/:.*/s, ""),
        ),
      );
      racer!.stdin!.end();
      await once(racer!, "close");
      expect(readdirSync(outside)).toHaveLength(20);
    }
    expect([...outcomes].every((outcome) => outcome === "removed" || outcome.startsWith("Could not remove"))).toBe(
      true,
    );
  });

  it("tolerates a block that removed the directory itself", async () => {
    await asyncWith(tempDir(), (dir) => rmSync(dir, { recursive: true }));
  });

  it("keeps it on error with keepOnError, and removes it on success all the same", async () => {
    let kept = "";
    await expect(
      asyncWith(tempDir("keep-", { keepOnError: true }), (dir) => ((kept = dir), Promise.reject(boom()))),
    ).rejects.toThrow("boom");
    expect(existsSync(kept)).toBe(true);
    rmSync(kept, { recursive: true });
    const removed = await asyncWith(tempDir("keep-", { keepOnError: true }), (dir) => dir);
    expect(existsSync(removed)).toBe(false);
  });

  it('is always a child of dir: a prefix with a slash, or "", ".", "..", is refused', () => {
    for (const prefix of ["a/b", "a\\b", "", ".", ".."]) {
      expect(() => tempDir(prefix)).toThrow(
        `Expected tempDir(prefix) to be a file-name prefix without slashes, and not "", "." or ".." (use options.dir for the location), got ${JSON.stringify(prefix)}`,
      );
    }
  });

  it("gives absolute paths resolved at the call, so chdir cannot make the clean-up miss them", async () => {
    const parent = scratch();
    const before = process.cwd();
    process.chdir(parent);
    const dirManager = tempDir("rel-", { dir: "." });
    const fileManager = tempFile({ dir: "." });
    process.chdir(before);
    const [dir, file] = await asyncWith([dirManager, fileManager], ([dir, file]) => {
      process.chdir(scratch());
      return [dir, file];
    });
    process.chdir(before);
    expect(dir.startsWith(`${parent}/rel-`) && file.startsWith(`${parent}/`)).toBe(true);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("removes trees with read-only files and directories (as a user without root's override)", async () => {
    const parent = scratch();
    chmodSync(parent, 0o777);
    const child = asNobody(
      `
      import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
      import { join } from "node:path";
import { fileURLToPath } from "node:url";
      import { asyncWith } from "@asyncwith/core";
      import { tempDir } from "@asyncwith/node";
      const path = await asyncWith(tempDir("ro-", { dir: process.argv[2] }), (dir) => {
        mkdirSync(join(dir, "a", "b"), { recursive: true });
        writeFileSync(join(dir, "a", "b", "file"), "x");
        chmodSync(join(dir, "a", "b", "file"), 0o444);
        chmodSync(join(dir, "a", "b"), 0o555);
        chmodSync(join(dir, "a"), 0o555);
        return dir;
      });
      console.log(path);
    `,
      [parent],
    );
    const { code, stdout, stderr } = await finished(child);
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout.trim()).toMatch(/ro-/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("lists what it could not remove", async () => {
    const parent = scratch();
    chmodSync(parent, 0o777);
    const child = asNobody(
      `
      import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
      import { asyncWith } from "@asyncwith/core";
      import { tempDir } from "@asyncwith/node";
      await asyncWith(tempDir("stuck-", { dir: process.argv[2] }), async (dir) => {
        console.log(dir);
        await once(process.stdin, "data"); // the test puts a root-owned tree inside meanwhile
      }).catch((error) => console.log(error.message));
    `,
      [parent],
    );
    const result = finished(child);
    const [line] = await once(child.stdout!, "data");
    const dir = String(line).trim();
    mkdirSync(join(dir, "roots"));
    writeFileSync(join(dir, "roots", "file"), "x");
    child.stdin!.end("go\n");
    const { stdout } = await result;
    expect(stdout).toContain(`Could not remove ${dir}: 3 entries remain: ${dir}, ${dir}/roots, ${dir}/roots/file`);
  });
});
