import { once } from "node:events";
import { type ReadStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";

import { AsyncExitStack, asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { readStream, writeStream } from "../src/index.ts";
import { boom, exitPastDeadline, openFds, scratch, stuckFifo } from "./helpers.ts";

const MB = 1024 * 1024;

describe("readStream", () => {
  it("gives an open stream and closes it after a full read", async () => {
    const path = join(scratch(), "in.txt");
    writeFileSync(path, "line 1\nline 2\n");
    const [text, stream] = await asyncWith(readStream(path, { encoding: "utf8" }), async (input) => {
      let text = "";
      for await (const part of input) text += part;
      return [text, input] as const;
    });
    expect(text).toBe("line 1\nline 2\n");
    expect(stream.closed).toBe(true);
  });

  it("closes a stream the block stopped reading early", async () => {
    const path = join(scratch(), "big.txt");
    writeFileSync(path, Buffer.alloc(4 * MB, 1));
    const stream = await asyncWith(readStream(path, { highWaterMark: 1024 }), async (input) => {
      await once(input, "data");
      return input;
    });
    expect(stream.destroyed && stream.closed).toBe(true);
  });

  it("closes on failure and rethrows the same error", async () => {
    const path = join(scratch(), "f.txt");
    writeFileSync(path, "x");
    const error = boom();
    let seen: import("node:fs").ReadStream | undefined;
    await expect(asyncWith(readStream(path), (input) => ((seen = input), Promise.reject(error)))).rejects.toBe(error);
    expect(seen!.closed).toBe(true);
  });

  it("throws a read error the block never saw (a legacy pipe does not forward it)", async () => {
    const dir = scratch(); // reading a directory opens fine, then fails with EISDIR
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    await expect(
      asyncWith(readStream(dir), async (input) => {
        input.pipe(sink);
        await once(input, "close");
      }),
    ).rejects.toMatchObject({ code: "EISDIR" });
  });

  it("under an exit deadline, a read stuck in the thread pool (a pipe nobody writes to) no longer holds the exit", async () => {
    const fifo = stuckFifo("writer");
    const inputs: ReadStream[] = [];
    try {
      for (const failure of [undefined, { error: boom() }]) {
        const stack = new AsyncExitStack();
        const input = await stack.enterContext(readStream(fifo.path));
        inputs.push(input);
        input.read(); // a read starts in the thread pool, and waits for bytes that never come
        expect(await exitPastDeadline(stack, failure)).toBe(false); // settled: the block's error, if any, stands
        expect(input.destroyed).toBe(true);
      }
    } finally {
      fifo.release(); // the stuck reads return (end of file), and the streams close
    }
    await expect.poll(() => inputs.every((input) => input.closed)).toBe(true);
  });

  it("fails the enter for a missing file", async () => {
    await expect(asyncWith(readStream(join(scratch(), "missing")), () => {})).rejects.toMatchObject({ code: "ENOENT" });
  });
});

it("leaks no file descriptor over 300 failing stream blocks", async () => {
  const dir = scratch();
  writeFileSync(join(dir, "in"), "data");
  const before = openFds();
  for (let i = 0; i < 150; i++) {
    await asyncWith(writeStream(join(dir, "out")), (out) => (out.write("x"), Promise.reject(boom()))).catch(() => {});
    await asyncWith(
      readStream(join(dir, "in")),
      (input) => input.pipe(new PassThrough()) && Promise.reject(boom()),
    ).catch(() => {});
  }
  expect(openFds()).toBe(before);
});
