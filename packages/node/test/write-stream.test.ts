import { existsSync, readFileSync, statSync, writeFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AsyncExitStack, asyncWith, exitWithin, TimeoutError } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { writeStream } from "../src/index.ts";
import { boom, exitPastDeadline, scratch, stuckFifo } from "./helpers.ts";

const MB = 1024 * 1024;

describe("writeStream", () => {
  it("loses no data: 32 MB written without waiting for drain are all on disk, and the file closed, when the block ends", async () => {
    const path = join(scratch(), "big.bin");
    const chunk = Buffer.alloc(64 * 1024, 7);
    const stream = await asyncWith(writeStream(path), (out) => {
      for (let written = 0; written < 32 * MB; written += chunk.length) out.write(chunk);
      return out;
    });
    expect(statSync(path).size).toBe(32 * MB);
    expect(stream.closed).toBe(true);
  });

  it("accepts a block that ends or pipes into the stream itself", async () => {
    const path = join(scratch(), "piped.txt");
    await asyncWith(writeStream(path), (out) => pipeline(Readable.from(["a", "b", "c"]), out));
    expect(readFileSync(path, "utf8")).toBe("abc");
    await asyncWith(writeStream(path, { encoding: "utf8" }), (out) => void out.end("ended by the block"));
    expect(readFileSync(path, "utf8")).toBe("ended by the block");
  });

  it("on failure destroys the stream with the block's error, waits for close and rethrows the same error", async () => {
    const path = join(scratch(), "partial.txt");
    const error = boom();
    let seen: import("node:fs").WriteStream | undefined;
    const result = asyncWith(writeStream(path), (out) => {
      seen = out;
      out.write("partial");
      throw error;
    });
    await expect(result).rejects.toBe(error);
    expect(seen!.destroyed).toBe(true);
    expect(seen!.closed).toBe(true);
    expect(seen!.errored).toBe(error);
    expect(existsSync(path)).toBe(true); // kept by default
  });

  it("with removeOnError deletes the partial file on failure, and only then", async () => {
    const dir = scratch();
    const error = boom();
    await expect(
      asyncWith(
        writeStream(join(dir, "x"), { removeOnError: true }),
        (out) => (out.write("half"), Promise.reject(error)),
      ),
    ).rejects.toBe(error);
    expect(existsSync(join(dir, "x"))).toBe(false);
    await asyncWith(writeStream(join(dir, "y"), { removeOnError: true }), (out) => void out.write("whole"));
    expect(readFileSync(join(dir, "y"), "utf8")).toBe("whole");
  });

  it("removeOnError never deletes content it did not create: refused with flags that keep content, and an existing file survives", async () => {
    const dir = scratch();
    for (const flags of ["a", "a+", "r+", "as"]) {
      expect(() => writeStream(join(dir, "log"), { flags, removeOnError: true })).toThrow(
        `Expected writeStream() options.flags to be "w" or "wx" with removeOnError (other flags keep existing content, which must never be deleted), got "${flags}"`,
      );
    }
    const log = join(dir, "existing.log");
    writeFileSync(log, "old lines\n");
    const error = boom();
    await expect(
      asyncWith(writeStream(log, { removeOnError: true }), (out) => (out.write("half"), Promise.reject(error))),
    ).rejects.toBe(error);
    expect(existsSync(log)).toBe(true); // truncated by "w", as asked, but not deleted: it was not ours
    await expect(
      asyncWith(writeStream(join(dir, "fresh"), { flags: "wx", removeOnError: true }), () => Promise.reject(error)),
    ).rejects.toBe(error);
    expect(existsSync(join(dir, "fresh"))).toBe(false);
  });

  it("throws a write error on the success path instead of dropping it (a full disk: /dev/full)", async () => {
    await expect(asyncWith(writeStream("/dev/full"), (out) => void out.write("no room"))).rejects.toMatchObject({
      code: "ENOSPC",
    });
  });

  describe("under an exit deadline, a destination that stops taking data (a pipe nobody reads)", () => {
    it("no longer holds the exit: exitWithin's deadline destroys the stream", async () => {
      const fifo = stuckFifo("reader");
      let out!: WriteStream;
      try {
        const block = asyncWith(exitWithin(50, writeStream(fifo.path)), (stream) => {
          out = stream;
          stream.write(Buffer.alloc(1 << 20)); // 1 MiB: far more than a pipe holds
        });
        await expect(block).rejects.toBeInstanceOf(TimeoutError);
        await expect.poll(() => out.destroyed).toBe(true);
      } finally {
        fifo.release(); // the stuck write returns (EPIPE)
      }
      await expect.poll(() => out.closed).toBe(true); // and the descriptor is closed: nothing leaked
    });

    it("the exit fails saying what was not written, on success; on failure the block's error stands", async () => {
      const fifo = stuckFifo("reader");
      try {
        for (const failure of [undefined, { error: boom() }]) {
          const stack = new AsyncExitStack();
          const out = await stack.enterContext(writeStream(fifo.path));
          out.write(Buffer.alloc(1 << 20));
          const outcome = await exitPastDeadline(stack, failure).then(
            (value) => ({ value }),
            (thrown: unknown) => ({ thrown }),
          );
          if (failure)
            expect(outcome).toEqual({ value: false }); // the block's own error stands, unreplaced
          else
            expect((outcome as { thrown: Error }).thrown.message).toBe(
              `writeStream()'s exit was cut short at its deadline: what was still buffered for ${fifo.path} was not written`,
            );
          expect(out.destroyed).toBe(true);
        }
      } finally {
        fifo.release();
      }
    });
  });

  it("fails the enter when the file cannot be opened", async () => {
    let ran = false;
    await expect(
      asyncWith(writeStream(join(scratch(), "no", "such", "dir")), () => (ran = true)),
    ).rejects.toMatchObject({ code: "ENOENT" });
    expect(ran).toBe(false);
  });
});
