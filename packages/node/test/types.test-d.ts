import type { ChildProcess } from "node:child_process";
import type { ReadStream, WriteStream } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import type { Writable } from "node:stream";
import { asyncWith, enter } from "@asyncwith/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  atomicWrite,
  childProcess,
  fileLock,
  type HeldLock,
  openFile,
  readStream,
  server,
  shutdownScope,
  tempDir,
  tempFile,
  writeStream,
} from "../src/index.ts";

describe("types", () => {
  it("gives each block the resource it opens", async () => {
    await asyncWith(openFile("f"), (file) => expectTypeOf(file).toEqualTypeOf<FileHandle>());
    await asyncWith(writeStream("f"), (out) => expectTypeOf(out).toEqualTypeOf<WriteStream>());
    await asyncWith(readStream("f"), (input) => expectTypeOf(input).toEqualTypeOf<ReadStream>());
    await asyncWith(tempDir(), (dir) => expectTypeOf(dir).toEqualTypeOf<string>());
    await asyncWith(tempFile(), (path) => expectTypeOf(path).toEqualTypeOf<string>());
    await asyncWith(fileLock("f"), (lock) => expectTypeOf(lock).toEqualTypeOf<HeldLock>());
    await asyncWith(childProcess("ls"), (child) => expectTypeOf(child).toEqualTypeOf<ChildProcess>());
    await asyncWith(server({} as import("node:net").Server), (address) =>
      expectTypeOf(address).toEqualTypeOf<AddressInfo>(),
    );
    await asyncWith(shutdownScope(), (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>());
  });

  it("gives atomicWrite a FileHandle, or a Writable with { stream: true }", async () => {
    await asyncWith(atomicWrite("f"), (file) => expectTypeOf(file).toEqualTypeOf<FileHandle>());
    await asyncWith(atomicWrite("f", { stream: true }), (out) => expectTypeOf(out).toEqualTypeOf<Writable>());
    expectTypeOf(atomicWrite).parameter(1).exclude<undefined>().toHaveProperty("replaceNonRegular");
    // @ts-expect-error replaceNonRegular is a boolean
    atomicWrite("f", { replaceNonRegular: "yes" });
  });

  it("never suppresses, so the block's result type is kept (no | undefined)", async () => {
    expectTypeOf(await asyncWith(openFile("f"), () => 1)).toEqualTypeOf<number>();
    expectTypeOf(
      await asyncWith([tempDir(), fileLock("f")], ([dir, lock]) => [dir, lock.lockPath] as const),
    ).toEqualTypeOf<readonly [string, string]>();
  });

  it("works with await using through enter()", async () => {
    await using file = await enter(atomicWrite("f"));
    expectTypeOf(file.value).toEqualTypeOf<FileHandle>();
  });

  it("rejects what is not a path or not options at compile time", () => {
    // @ts-expect-error a number is not a path
    openFile(42);
    // @ts-expect-error unknown option
    tempFile({ prefx: "x" });
    // @ts-expect-error args must be strings
    childProcess("ls", [1]);
  });
});
