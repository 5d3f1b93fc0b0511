import { closeSync, readFileSync, writeFileSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AsyncExitStack, asyncWith, SuppressedError } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { openFile } from "../src/index.ts";
import { boom, exitPastDeadline, scratch, stuckFifo } from "./helpers.ts";

describe("openFile", () => {
  it("gives a FileHandle for the block and closes it after", async () => {
    const path = join(scratch(), "a.txt");
    writeFileSync(path, "hello");
    let seen: import("node:fs/promises").FileHandle | undefined;
    const text = await asyncWith(openFile(path), (file) => ((seen = file), file.readFile("utf8")));
    expect(text).toBe("hello");
    expect(seen!.fd).toBe(-1); // closed
  });

  it("accepts file: URLs, flags and mode", async () => {
    const path = join(scratch(), "b.txt");
    await asyncWith(openFile(pathToFileURL(path), "w", 0o600), (file) => file.writeFile("written"));
    expect(readFileSync(path, "utf8")).toBe("written");
  });

  it("closes on failure and rethrows the very same error", async () => {
    const path = join(scratch(), "c.txt");
    writeFileSync(path, "");
    const error = boom();
    let seen: import("node:fs/promises").FileHandle | undefined;
    const result = asyncWith(openFile(path), (file) => {
      seen = file;
      throw error;
    });
    await expect(result).rejects.toBe(error);
    expect(seen!.fd).toBe(-1);
  });

  it("never lets a close error hide the block's error: SuppressedError(closeError, blockError)", async () => {
    const path = join(scratch(), "d.txt");
    writeFileSync(path, "");
    const error = boom();
    const result = asyncWith(openFile(path), (file) => {
      closeSync(file.fd); // the descriptor goes away underneath: the handle's close will fail with EBADF
      throw error;
    });
    const thrown = await result.catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(SuppressedError);
    expect((thrown as SuppressedError).suppressed).toBe(error);
    expect((thrown as SuppressedError).error).toMatchObject({ code: "EBADF" });
  });

  it("throws a close error on the success path", async () => {
    const path = join(scratch(), "e.txt");
    writeFileSync(path, "");
    await expect(asyncWith(openFile(path), (file) => closeSync(file.fd))).rejects.toMatchObject({ code: "EBADF" });
  });

  it("under an exit deadline, a close held by a read stuck in the thread pool (a pipe nobody writes to) no longer holds the exit", async () => {
    const fifo = stuckFifo("writer");
    const handles: FileHandle[] = [];
    try {
      for (const failure of [undefined, { error: boom() }]) {
        const stack = new AsyncExitStack();
        const handle = await stack.enterContext(openFile(fifo.path));
        handles.push(handle);
        void handle.read(Buffer.alloc(8), 0, 8, null).catch(() => {}); // waits for bytes that never come
        expect(await exitPastDeadline(stack, failure)).toBe(false); // settled: the block's error, if any, stands
      }
    } finally {
      fifo.release(); // the stuck reads return (end of file), and the closes complete
    }
    await expect.poll(() => handles.every((handle) => handle.fd === -1)).toBe(true);
  });

  it("fails the enter when the file cannot be opened, and never runs the block", async () => {
    let ran = false;
    await expect(asyncWith(openFile(join(scratch(), "missing.txt")), () => (ran = true))).rejects.toMatchObject({
      code: "ENOENT",
    });
    expect(ran).toBe(false);
  });

  it("rejects a bad path at once, saying what it got", () => {
    expect(() => openFile(42 as never)).toThrow(
      "Expected openFile() to be given a path (a non-empty string or a file: URL), got 42",
    );
    expect(() => openFile("")).toThrow(TypeError);
  });

  it("is single-use, and says so", async () => {
    const path = join(scratch(), "f.txt");
    writeFileSync(path, "");
    const manager = openFile(path);
    await asyncWith(manager, () => {});
    await expect(asyncWith(manager, () => {})).rejects.toThrow(
      "Expected a fresh openFile() manager, got one already entered: managers are single-use, call openFile() again",
    );
  });
});
