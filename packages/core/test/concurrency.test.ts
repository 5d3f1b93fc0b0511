import { describe, expect, it } from "vitest";
import { asyncWith, BoundedSemaphore, Condition, Event, Lock, Semaphore, TaskGroup } from "../src/index.js";
import { rejection, untilAborted } from "./fixtures.js";

describe("TaskGroup", () => {
  it("waits for every task and gives their results", async () => {
    const done: number[] = [];
    const results = await asyncWith(new TaskGroup(), (group) => {
      const tasks = [3, 1, 2].map((n) => group.spawn(async () => {
        await Promise.resolve();
        done.push(n);
        return n * 10;
      }));
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
    const error = await rejection(asyncWith(new TaskGroup(), (group) => {
      group.spawn(async (signal) => {
        await untilAborted(signal).catch((reason) => {
          stopped.push("sibling");
          throw reason; // stopping because of the abort: not listed
        });
      });
      group.spawn(async () => { throw first; });
      group.spawn(async (signal) => {
        await untilAborted(signal).catch(() => {});
        throw second; // a failure of its own while stopping: listed
      });
    }));
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual([first, second]);
    expect(stopped).toEqual(["sibling"]);
  });

  it("puts the block's own error first, and aborts the tasks when the block fails", async () => {
    const boom = new Error("boom");
    const late = new Error("late");
    let group!: TaskGroup;
    const error = await rejection(asyncWith(new TaskGroup(), async (g) => {
      group = g;
      g.spawn(async (signal) => {
        await untilAborted(signal).catch(() => {});
        throw late;
      });
      throw boom;
    }));
    expect((error as AggregateError).errors).toEqual([boom, late]);
    expect(group.signal.aborted).toBe(true);
  });

  it("raises even a lone block error as an AggregateError, and lists an awaited task's failure once", async () => {
    const boom = new Error("boom");
    expect(((await rejection(asyncWith(new TaskGroup(), () => { throw boom; }))) as AggregateError).errors).toEqual([boom]);
    const error = await rejection(asyncWith(new TaskGroup(), (g) => g.spawn(async () => { throw boom; })));
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
    expect(() => group.spawn(() => 1)).toThrow(new TypeError("Expected an entered TaskGroup for spawn(), got one that has exited: spawn before its block ends"));
    expect(() => new TaskGroup().spawn(42 as never)).toThrow(TypeError);
  });

  it("turns a task that throws synchronously into a failure, not a crash", async () => {
    const boom = new Error("sync");
    const error = await rejection(asyncWith(new TaskGroup(), (g) => void g.spawn(() => { throw boom; })));
    expect((error as AggregateError).errors).toEqual([boom]);
  });
});

describe("Lock", () => {
  it("is held for exactly the block and released when the block throws", async () => {
    const lock = new Lock();
    await expect(asyncWith(lock, () => {
      expect(lock.locked).toBe(true);
      throw new Error("boom");
    })).rejects.toThrow("boom");
    expect(lock.locked).toBe(false);
  });

  it("serves waiters first come, first served", async () => {
    const lock = new Lock();
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => asyncWith(lock, async () => {
      order.push(n);
      await Promise.resolve();
      order.push(n);
    })));
    expect(order).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });

  it("refuses a release when not held", () => {
    expect(() => new Lock().release()).toThrow(new RangeError("Expected a release() matching an acquire(), got one too many: the Lock is already at its bound of 1"));
  });
});

describe("Semaphore", () => {
  it("serves 10,000 concurrent waiters in order with never more than 3 inside", async () => {
    const sem = new Semaphore(3);
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(Array.from({ length: 10_000 }, (_, i) => asyncWith(sem, async () => {
      order.push(i);
      most = Math.max(most, ++inside);
      await Promise.resolve();
      inside--;
    })));
    expect(most).toBe(3);
    expect(order).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(sem.value).toBe(3);
  });

  it("lets an aborted waiter leave the queue without taking a permit", async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const controller = new AbortController();
    const reason = new Error("gave up");
    const giving = sem.acquire({ signal: controller.signal });
    const next = sem.acquire();
    controller.abort(reason);
    expect(await rejection(giving)).toBe(reason);
    sem.release(); // goes to `next`, not to the aborted waiter
    await next;
    expect(sem.value).toBe(0);
    sem.release();
    expect(sem.value).toBe(1);
  });

  it("rejects at once with the reason of an already-aborted signal", async () => {
    const reason = new Error("already");
    expect(await rejection(new Semaphore(5).acquire({ signal: AbortSignal.abort(reason) }))).toBe(reason);
  });

  it("may be released above its start; a BoundedSemaphore may not", () => {
    const sem = new Semaphore(1);
    sem.release();
    expect(sem.value).toBe(2);
    expect(() => new BoundedSemaphore(2).release()).toThrow(RangeError);
    expect(() => new Semaphore(-1)).toThrow("Expected a whole number of permits (0 or more), got -1");
  });
});

describe("Event", () => {
  it("wakes every waiter when set, and waits again after clear", async () => {
    const event = new Event();
    const woken: number[] = [];
    const waiting = [1, 2].map((n) => event.wait().then(() => woken.push(n)));
    expect(event.isSet).toBe(false);
    event.set();
    await Promise.all(waiting);
    expect(woken).toEqual([1, 2]);
    await event.wait(); // set: resolves at once
    event.clear();
    const controller = new AbortController();
    const pending = event.wait({ signal: controller.signal });
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
  });
});

describe("Condition", () => {
  it("wakes waiters oldest first and waitFor returns the predicate's truthy result", async () => {
    const cond = new Condition();
    const queue: string[] = [];
    const got: string[] = [];
    const consumers = [1, 2].map((n) => asyncWith(cond, async () => {
      const item = await cond.waitFor(() => queue.shift());
      got.push(`${n}:${item}`);
    }));
    await Promise.resolve();
    for (const item of ["a", "b"]) {
      await asyncWith(cond, () => {
        queue.push(item);
        cond.notify();
      });
    }
    await Promise.all(consumers);
    expect(got).toEqual(["1:a", "2:b"]);
  });

  it("refuses wait and notify outside the lock", async () => {
    const cond = new Condition();
    expect(() => cond.notify()).toThrow("Expected the Condition's lock to be held for notify(), got it unlocked");
    await expect(cond.wait()).rejects.toThrow(TypeError);
  });

  it("holds the lock again when an aborted wait rejects", async () => {
    const cond = new Condition(new Lock());
    const controller = new AbortController();
    const reason = new Error("abort");
    const error = await rejection(asyncWith(cond, async () => {
      const waiting = cond.wait({ signal: controller.signal });
      controller.abort(reason);
      try {
        await waiting;
      } finally {
        expect(cond.lock.locked).toBe(true);
      }
    }));
    expect(error).toBe(reason);
    expect(cond.lock.locked).toBe(false);
  });
});
