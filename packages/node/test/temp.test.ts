import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { tempDir, tempFile } from "../src/index.ts";
import { boom, scratch } from "./helpers.ts";

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

  it("tolerates a block that removed the directory itself", async () => {
    await asyncWith(tempDir(), (dir) => rmSync(dir, { recursive: true }));
  });

  it("keeps it on error with keepOnError, and removes it on success all the same", async () => {
    let kept = "";
    await expect(asyncWith(tempDir("keep-", { keepOnError: true }), (dir) => ((kept = dir), Promise.reject(boom())))).rejects.toThrow("boom");
    expect(existsSync(kept)).toBe(true);
    rmSync(kept, { recursive: true });
    const removed = await asyncWith(tempDir("keep-", { keepOnError: true }), (dir) => dir);
    expect(existsSync(removed)).toBe(false);
  });

  it("rejects a prefix with a slash, pointing at options.dir", () => {
    expect(() => tempDir("a/b")).toThrow('Expected tempDir(prefix) to be a file-name prefix without slashes (use options.dir for the location), got "a/b"');
  });
});

describe("tempFile", () => {
  it("creates a new empty file with the prefix and suffix, and removes it after", async () => {
    const dir = scratch();
    const path = await asyncWith(tempFile({ dir, prefix: "cfg-", suffix: ".json" }), (file) => {
      expect(statSync(file).size).toBe(0);
      writeFileSync(file, "{}");
      return file;
    });
    expect(path).toMatch(/\/cfg-[0-9a-f]{12}\.json$/);
    expect(existsSync(path)).toBe(false);
  });

  it("removes it on failure, tolerating a block that replaced it with a directory", async () => {
    const error = boom();
    let path = "";
    await expect(asyncWith(tempFile(), (file) => {
      path = file;
      rmSync(file);
      mkdirSync(join(file, "sub"), { recursive: true });
      throw error;
    })).rejects.toBe(error);
    expect(existsSync(path)).toBe(false);
  });

  it("keeps the file on error with keepOnError", async () => {
    let path = "";
    await expect(asyncWith(tempFile({ keepOnError: true }), (file) => ((path = file), Promise.reject(boom())))).rejects.toThrow();
    expect(existsSync(path)).toBe(true);
    rmSync(path);
  });

  it("rejects a bad option, naming it", () => {
    expect(() => tempFile({ suffix: 7 as never })).toThrow("Expected tempFile() options.suffix to be a string without slashes, got 7");
  });
});
