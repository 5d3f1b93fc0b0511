// The TracingChannel, seen by a real diagnostics_channel subscriber, as an APM tool would.
import { AsyncLocalStorage } from "node:async_hooks";
import { tracingChannel } from "node:diagnostics_channel";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { asyncWith, type Block, enter, resource } from "@asyncwith/core";
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
    "error fileLock write failed",
    "asyncStart fileLock",
    "asyncEnd fileLock error",
  ]);
});

// What Node's own tracePromise publishes for a promise that fulfils and one that rejects, and
// our blocks beside it: the same events, in the same order, the store bound to start active inside.
it("publishes as tracingChannel.tracePromise does: same events, same order, body inside start.runStores", async () => {
  const reference = tracingChannel<unknown, { error?: unknown }>("asyncwith:test-reference");
  const seen = (c: typeof reference | typeof channel, events: string[], store: AsyncLocalStorage<string>) => {
    c.start.bindStore(store, () => "in start's store");
    const handlers = {
      start: () => void events.push("start"),
      end: () => void events.push("end"),
      asyncStart: () => void events.push("asyncStart"),
      asyncEnd: () => void events.push("asyncEnd"),
      error: () => void events.push("error"),
    };
    c.subscribe(handlers);
    return () => (c.unsubscribe(handlers), c.start.unbindStore(store));
  };
  const [nodeEvents, ourEvents] = [[] as string[], [] as string[]];
  const [nodeStore, ourStore] = [new AsyncLocalStorage<string>(), new AsyncLocalStorage<string>()];
  const stopNode = seen(reference, nodeEvents, nodeStore);
  const stopOurs = seen(channel, ourEvents, ourStore);
  unsubscribe = () => (stopNode(), stopOurs());
  const error = boom("body failed");
  const inBody: unknown[] = [];
  const inExit: unknown[] = [];
  const manager = () =>
    resource(
      async () => (await Promise.resolve(), ourStore.getStore()),
      async () => void inExit.push(await Promise.resolve(ourStore.getStore())),
      "probe",
    );

  await reference.tracePromise(async () => void inBody.push(nodeStore.getStore()), {});
  await asyncWith(manager(), async (entered) => void inBody.push(entered, await Promise.resolve(ourStore.getStore())));
  await expect(reference.tracePromise(() => Promise.reject(error), {})).rejects.toBe(error);
  await expect(asyncWith(manager(), () => Promise.reject(error))).rejects.toBe(error);
  const enterError = boom("enter failed");
  const refused = resource(
    () => Promise.reject(enterError),
    () => {},
    "refused",
  );
  await expect(asyncWith(refused, () => {})).rejects.toBe(enterError);

  expect(ourEvents).toEqual([...nodeEvents, "start", "end", "error", "asyncStart", "asyncEnd"]);
  expect(nodeEvents).toEqual([
    "start",
    "end",
    "asyncStart",
    "asyncEnd",
    "start",
    "end",
    "error",
    "asyncStart",
    "asyncEnd",
  ]);
  expect(inBody).toEqual(Array(3).fill("in start's store")); // the enter, the body after an await
  expect(inExit).toEqual(Array(2).fill("in start's store"));
});

it("gives every start its asyncEnd, through enter() and await using, failed enters included", async () => {
  const { events, blocks } = subscribe();
  const dir = scratch();
  {
    const held = await enter(fileLock(join(dir, "a")));
    await writeFile(join(dir, "between"), "x"); // an await inside the await-using body
    await asyncWith(tempDir("diag-", { dir }), () => {});
    held.ok();
    await held[Symbol.asyncDispose]();
  }
  await asyncWith(tempDir("after-", { dir }), () => {});
  const error = boom("no");
  await expect(
    enter(
      resource(
        () => Promise.reject(error),
        () => {},
        "refused",
      ),
    ),
  ).rejects.toBe(error);
  expect(events.filter((e) => e.startsWith("start")).length).toBe(4);
  expect(events.filter((e) => e.startsWith("asyncEnd"))).toEqual([
    "asyncEnd tempDir ok",
    "asyncEnd fileLock ok",
    "asyncEnd tempDir ok",
    "asyncEnd refused enter-failed",
  ]);
  // The await-using body's block is the parent of what it starts, and only while it lasts.
  expect(blocks.map((b) => [b.name, b.parent?.name])).toEqual([
    ["fileLock", undefined],
    ["tempDir", "fileLock"],
    ["tempDir", undefined],
    ["refused", undefined],
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
