import { describe, expect, it } from "vitest";
import { asyncWith, Event, TaskGroup } from "../src/index.js";
import { rejection, untilAborted } from "./fixtures.js";

describe("TaskGroup", () => {
  it("waits for every task and gives their results", async () => {
    const done: number[] = [];
    const results = await asyncWith(new TaskGroup(), (group) => {
      const tasks = [3, 1, 2].map((n) =>
        group.spawn(async () => {
          await Promise.resolve();
          done.push(n);
          return n * 10;
        }),
      );
      return Promise.all(tasks);
    });
    expect(results).toEqual([30, 10, 20]);
    expect(done.sort()).toEqual([1, 2, 3]);
  });

  it("waits for tasks the block did not await", async () => {
    let finished = false;
    const gate = new Event();
    const run = asyncWith(new TaskGroup(), (group) => {
      group.spawn(async () => {
        await gate.wait();
        finished = true;
      });
    });
    gate.set();
    await run;
    expect(finished).toBe(true);
  });

  it("aborts the siblings at the first failure and reports every real failure in one AggregateError", async () => {
    const first = new Error("first");
    const second = new Error("second");
    const stopped: string[] = [];
    const error = await rejection(
      asyncWith(new TaskGroup(), (group) => {
        group.spawn(async (signal) => {
          await untilAborted(signal).catch((reason) => {
            stopped.push("sibling");
            throw reason; // stopping because of the abort: not listed
          });
        });
        group.spawn(async () => {
          throw first;
        });
        group.spawn(async (signal) => {
          await untilAborted(signal).catch(() => {});
          throw second; // a failure of its own while stopping: listed
        });
      }),
    );
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual([first, second]);
    expect(stopped).toEqual(["sibling"]);
  });

  it("puts the block's own error first, and aborts the tasks when the block fails", async () => {
    const boom = new Error("boom");
    const late = new Error("late");
    let group!: TaskGroup;
    const error = await rejection(
      asyncWith(new TaskGroup(), async (g) => {
        group = g;
        g.spawn(async (signal) => {
          await untilAborted(signal).catch(() => {});
          throw late;
        });
        throw boom;
      }),
    );
    expect((error as AggregateError).errors).toEqual([boom, late]);
    expect(group.signal.aborted).toBe(true);
  });

  it("raises even a lone block error as an AggregateError, and lists an awaited task's failure once", async () => {
    const boom = new Error("boom");
    expect(
      (
        (await rejection(
          asyncWith(new TaskGroup(), () => {
            throw boom;
          }),
        )) as AggregateError
      ).errors,
    ).toEqual([boom]);
    const error = await rejection(
      asyncWith(new TaskGroup(), (g) =>
        g.spawn(async () => {
          throw boom;
        }),
      ),
    );
    expect((error as AggregateError).errors).toEqual([boom]);
  });

  it("awaits tasks spawned while the exit is waiting, and refuses spawning after it finished or before entering", async () => {
    const log: string[] = [];
    const group = new TaskGroup();
    expect(() => group.spawn(() => 1)).toThrow("was not entered yet");
    await asyncWith(group, (g) => {
      g.spawn(async () => {
        await Promise.resolve();
        g.spawn(async () => void log.push("spawned during exit"));
      });
    });
    expect(log).toEqual(["spawned during exit"]);
    expect(() => group.spawn(() => 1)).toThrow(
      new TypeError("Expected an entered TaskGroup for spawn(), got one that has exited: spawn before its block ends"),
    );
    expect(() => new TaskGroup().spawn(42 as never)).toThrow(TypeError);
  });

  it("turns a task that throws synchronously into a failure, not a crash", async () => {
    const boom = new Error("sync");
    const error = await rejection(
      asyncWith(
        new TaskGroup(),
        (g) =>
          void g.spawn(() => {
            throw boom;
          }),
      ),
    );
    expect((error as AggregateError).errors).toEqual([boom]);
  });
});
