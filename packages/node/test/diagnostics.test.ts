// The TracingChannel, seen by a real diagnostics_channel subscriber, as an APM tool would.
import { tracingChannel } from "node:diagnostics_channel";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { asyncWith, type Block } from "@asyncwith/core";
import { afterEach, expect, it } from "vitest";
import { atomicWrite, blockChannel, fileLock, tempDir } from "../src/index.ts";
import { boom, scratch } from "./helpers.ts";

const channel = tracingChannel<unknown, Block>(blockChannel);
let unsubscribe: (() => void) | undefined;
afterEach(() => unsubscribe?.());

function subscribe() {
  const events: string[] = [];
  const blocks: Block[] = [];
  const handlers = {
    start: (b: Block) => void (events.push(`start ${b.name}`), blocks.push(b)),
    end: (b: Block) => void events.push(`end ${b.name}`),
    asyncStart: (b: Block) => void events.push(`asyncStart ${b.name}`),
    asyncEnd: (b: Block) => void events.push(`asyncEnd ${b.name} ${b.outcome}`),
    error: (b: Block) => void events.push(`error ${b.name} ${(b.error as Error).message}`),
  };
  channel.subscribe(handlers);
  unsubscribe = () => channel.unsubscribe(handlers);
  return { events, blocks };
}

it(`publishes every block on the "${blockChannel}" TracingChannel, failures on its error channel`, async () => {
  const { events } = subscribe();
  const dir = scratch();
  await asyncWith(atomicWrite(join(dir, "a")), (file) => file.writeFile("x"));
  const error = boom("write failed");
  await expect(asyncWith(fileLock(join(dir, "a")), () => Promise.reject(error))).rejects.toBe(error);
  expect(events).toEqual([
    "start atomicWrite",
    "end atomicWrite",
    "asyncStart atomicWrite",
    "asyncEnd atomicWrite ok",
    "start fileLock",
    "end fileLock",
    "asyncStart fileLock",
    "error fileLock write failed",
    "asyncEnd fileLock error",
  ]);
});

it("gives nested blocks their parent across awaits (AsyncLocalStorage), and stops when unsubscribed", async () => {
  const { blocks, events } = subscribe();
  await asyncWith(tempDir("diag-", { dir: scratch() }), async (dir) => {
    await writeFile(join(dir, "x"), "x"); // an await between the two blocks
    await asyncWith(fileLock(join(dir, "x")), () => {});
  });
  expect(blocks.map((b) => [b.name, b.parent?.name])).toEqual([
    ["tempDir", undefined],
    ["fileLock", "tempDir"],
  ]);
  unsubscribe!();
  const seen = events.length;
  await asyncWith(tempDir("diag-", { dir: scratch() }), () => {});
  expect(events.length).toBe(seen);
});
