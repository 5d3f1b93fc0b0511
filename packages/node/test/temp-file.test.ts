import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { tempFile } from "../src/index.ts";
import { boom, scratch } from "./helpers.ts";

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
    await expect(
      asyncWith(tempFile(), (file) => {
        path = file;
        rmSync(file);
        mkdirSync(join(file, "sub"), { recursive: true });
        throw error;
      }),
    ).rejects.toBe(error);
    expect(existsSync(path)).toBe(false);
  });

  it("keeps the file on error with keepOnError", async () => {
    let path = "";
    await expect(
      asyncWith(tempFile({ keepOnError: true }), (file) => ((path = file), Promise.reject(boom()))),
    ).rejects.toThrow();
    expect(existsSync(path)).toBe(true);
    rmSync(path);
  });

  it("rejects a bad option, naming it", () => {
    expect(() => tempFile({ suffix: 7 as never })).toThrow(
      "Expected tempFile() options.suffix to be a string without slashes, got 7",
    );
  });
});
