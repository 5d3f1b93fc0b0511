// Cancellation that composes (the scenarios of asyncio's test_taskgroups/test_timeouts and Trio's
// cancel-scope tests that apply to AbortSignals): groups inside timeouts, cancel(), move-on scopes,
// exits with a deadline, concurrent enters, one error back.
import { describe, expect, it } from "vitest";
import {
  aenter,
  aexit,
  AsyncExitStack,
  asyncWith,
  concurrently,
  exitWithin,
  type ExitOptions,
  type Failure,
  moveOnAfter,
  moveOnAt,
  resource,
  singleError,
  TaskGroup,
  timeout,
  TimeoutError,
} from "../src/index.js";
import { rejection, untilAborted } from "./fixtures.js";

const never = (signal: AbortSignal) => untilAborted(signal);

describe("groups follow outer cancellation", () => {
  it("a TaskGroup inside a timeout stops its tasks at the deadline, and the timeout reports it", async () => {
    const stopped: unknown[] = [];
    const error = await rejection(
      asyncWith(timeout(5), ({ signal }) =>
        asyncWith(new TaskGroup({ signal }), (group) => {
          for (let i = 0; i < 3; i++)
            group.spawn((s) => never(s).catch((reason) => (stopped.push(reason), Promise.reject(reason))));
        }),
      ),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(stopped).toHaveLength(3);
    expect(stopped.every((reason) => reason === (error as Error).cause)).toBe(true);
  });

  it("an outer abort reaches every task, and the exit rethrows the outer reason itself (no AggregateError)", async () => {
    const outer = new AbortController();
    const reason = new Error("user went away");
    const error = await rejection(
      asyncWith(new TaskGroup({ signal: outer.signal }), (group) => {
        group.spawn(never);
        group.spawn(never);
        queueMicrotask(() => outer.abort(reason));
      }),
    );
    expect(error).toBe(reason);
  });

  it("an outer abort plus another failure: an AggregateError of the other failure only", async () => {
    const outer = new AbortController();
    const own = new Error("task's own");
    const error = await rejection(
      asyncWith(new TaskGroup({ signal: outer.signal }), (group) => {
        group.spawn(async (signal) => {
          await untilAborted(signal).catch(() => {});
          throw own;
        });
        outer.abort(new Error("outer"));
      }),
    );
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual([own]);
  });

  it("refuses to enter with an already aborted outer signal, rejecting with its reason", async () => {
    const reason = new Error("too late");
    let ran = false;
    const error = await rejection(
      asyncWith(new TaskGroup({ signal: AbortSignal.abort(reason) }), () => void (ran = true)),
    );
    expect([error, ran]).toEqual([reason, false]);
  });
});

describe("group.cancel()", () => {
  it("stops the tasks (from a task: first hit wins), and the exit completes without error, with the block's value", async () => {
    const stopped: unknown[] = [];
    const result = await asyncWith(new TaskGroup(), (group) => {
      for (let i = 0; i < 3; i++)
        group.spawn((s) => never(s).catch((reason) => (stopped.push(reason), Promise.reject(reason))));
      group.spawn(async () => group.cancel());
      return "searched";
    });
    expect(result).toBe("searched");
    expect(stopped).toHaveLength(3);
  });

  it("a block that itself awaits the cancelled signal gets the reason, the very same value", async () => {
    const reason = new Error("enough");
    const error = await rejection(
      asyncWith(new TaskGroup(), async (group) => {
        group.spawn(async () => group.cancel(reason));
        await never(group.signal);
      }),
    );
    expect(error).toBe(reason);
  });

  it("is idempotent, callable from the block, keeps the block's value when it finished anyway, and a task spawned after it gets an aborted signal", async () => {
    let late: AbortSignal | undefined;
    const result = await asyncWith(new TaskGroup(), (group) => {
      group.spawn(never);
      group.cancel();
      group.cancel(new Error("ignored: already cancelled"));
      group.spawn((signal) => ((late = signal), never(signal)));
      return "done";
    });
    expect(result).toBe("done");
    expect(late?.aborted).toBe(true);
  });

  it("cancel during the exit (while it waits for tasks) ends the wait without error", async () => {
    const result = await asyncWith(new TaskGroup(), (group) => {
      group.spawn(never);
      group.spawn(async () => {
        await Promise.resolve();
        await Promise.resolve(); // by now the block has returned and the exit is waiting
        group.cancel();
      });
      return 1;
    });
    expect(result).toBe(1);
  });

  it("another failure still fails the group", async () => {
    const own = new Error("own");
    const error = await rejection(
      asyncWith(new TaskGroup(), (group) => {
        group.spawn(async () => {
          throw own;
        });
        group.cancel();
      }),
    );
    expect((error as AggregateError).errors).toEqual([own]);
  });
});

describe("a cancel never changes identity on the way out", () => {
  it("a timeout whose outer signal aborted first never raises TimeoutError", async () => {
    const outer = new AbortController();
    const reason = new Error("outer first");
    const error = await rejection(
      asyncWith(timeout(50, { signal: outer.signal }), async ({ signal }) => {
        outer.abort(reason);
        await never(signal);
      }),
    );
    expect(error).toBe(reason);
  });

  it("an outer abort racing the deadline: whichever aborted the signal first decides", async () => {
    const outer = new AbortController();
    const error = await rejection(
      asyncWith(timeout(0, { signal: outer.signal }), async ({ signal }) => {
        await never(signal); // the deadline fires first
        outer.abort(new Error("too late to matter"));
      }).catch(async (e) => {
        outer.abort(new Error("after"));
        throw e;
      }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it("nested timeouts: only the one whose deadline fired converts", async () => {
    let inner: TimeoutError | undefined;
    const error = await rejection(
      asyncWith(timeout(5), ({ signal }) =>
        asyncWith(timeout(60_000, { signal }), async (scope) => {
          try {
            await never(scope.signal);
          } catch (e) {
            if (e instanceof TimeoutError) inner = e;
            throw e;
          }
        }),
      ),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(inner).toBeUndefined(); // the inner one passed the outer's reason through unchanged
  });

  it("a timeout that fires while an exit runs cancels what the exit awaits", async () => {
    const slowExit = {
      [aenter]: () => "v",
      [aexit]: () => new Promise<false>((resolve) => setTimeout(() => resolve(false), 20)),
    };
    const error = await rejection(asyncWith(timeout(5), ({ signal }) => asyncWith(slowExit, () => never(signal))));
    expect(error).toBeInstanceOf(TimeoutError);
  });
});

describe("moveOnAfter", () => {
  it("swallows its own expiry: asyncWith resolves to undefined and the scope says expired", async () => {
    let expired: boolean | undefined;
    const result = await asyncWith(moveOnAfter(1), async (scope) => {
      try {
        return await never(scope.signal);
      } finally {
        expired = scope.expired;
      }
    });
    expect([result, expired]).toEqual([undefined, true]);
  });

  it("returns the block's value when it finished in time, and lets other errors through", async () => {
    expect(await asyncWith(moveOnAfter(60_000), () => 42)).toBe(42);
    const own = new Error("own");
    expect(await rejection(asyncWith(moveOnAfter(60_000), () => Promise.reject(own)))).toBe(own);
  });
});

describe("exitWithin", () => {
  const stuck = (log: string[]) => ({
    [aenter]: () => "resource",
    [aexit]: (failure?: Failure, options?: { signal?: AbortSignal }) => {
      log.push(
        `exit saw ${failure ? "a failure" : "success"}, signal given: ${options?.signal instanceof AbortSignal}`,
      );
      return new Promise<false>(() => {}); // never finishes
    },
  });

  it("abandons an exit that outlasts its deadline, with a TimeoutError that names the manager, and aborts the exit's signal", async () => {
    const log: string[] = [];
    const error = await rejection(asyncWith(exitWithin(5, stuck(log), { name: "connection" }), () => "ok"));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe("connection's exit did not finish within 5 ms, so it was abandoned");
    expect(log).toEqual(["exit saw success, signal given: true"]);
  });

  it("still runs the exit when the block was cancelled; the block's error becomes the TimeoutError's cause", async () => {
    const log: string[] = [];
    const cancelled = new DOMException("cancelled", "AbortError");
    const error = await rejection(asyncWith(exitWithin(5, stuck(log)), () => Promise.reject(cancelled)));
    expect(log).toEqual(["exit saw a failure, signal given: true"]);
    expect((error as Error).cause).toBe(cancelled);
  });

  it("its deadline reaches every exit inside: resource()'s release, a stack's callbacks and entered managers, a nested exitWithin", async () => {
    const hurried: string[] = [];
    /** An exit that waits until its signal aborts (a release cut short), then says whose it was. */
    const hurry = (who: string, options?: ExitOptions) =>
      options?.signal ? untilAborted(options.signal).catch(() => void hurried.push(who)) : Promise.resolve();
    const release = resource(
      () => "conn",
      (_conn, _failure, options) => hurry("resource", options),
      "conn",
    );
    const entered = { [aenter]: () => 1, [aexit]: (_f?: Failure, options?: ExitOptions) => hurry("manager", options) };
    const error = await rejection(
      asyncWith(exitWithin(5, new AsyncExitStack()), async (stack) => {
        await stack.enterContext(release);
        await stack.enterContext(entered);
        stack.push((_failure, options) => hurry("callback", options));
        await stack.enterContext(
          exitWithin(
            60_000,
            resource(
              () => 1,
              (_v, _f, options) => hurry("nested", options),
            ),
          ),
        );
      }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    await expect.poll(() => [...hurried].sort()).toEqual(["callback", "manager", "nested", "resource"]);
  });

  it("its deadline reaches the exits of concurrently()'s managers, one by one or in parallel", async () => {
    for (const parallelExit of [false, true]) {
      const hurried: string[] = [];
      const held = (who: string) => ({
        [aenter]: () => who,
        [aexit]: (_f?: Failure, options?: ExitOptions) =>
          options?.signal ? untilAborted(options.signal).catch(() => void hurried.push(who)) : Promise.resolve(),
      });
      const error = await rejection(
        asyncWith(exitWithin(5, concurrently([held("a"), held("b")], { parallelExit })), () => {}),
      );
      expect(error).toBeInstanceOf(TimeoutError);
      await expect.poll(() => [...hurried].sort()).toEqual(["a", "b"]);
    }
  });

  it("its deadline cancels a TaskGroup's tasks still running, which the exit was waiting for", async () => {
    let stopped: unknown;
    let group: TaskGroup | undefined;
    const error = await rejection(
      asyncWith(exitWithin(5, new TaskGroup(), { name: "workers" }), (g) => {
        group = g;
        g.spawn((signal) => untilAborted(signal).catch((reason: unknown) => (stopped = reason)));
      }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    await expect.poll(() => stopped).toBeInstanceOf(TimeoutError); // the task was asked to stop, with the deadline's reason
    expect(group!.signal.reason).toBe(stopped);
  });

  it("refuses options it would otherwise ignore: exitWithin's name, concurrently's parallelExit", () => {
    const m = { [aenter]: () => 1, [aexit]: () => false };
    expect(() => exitWithin(5, m, "connection" as never)).toThrow(
      'Expected exitWithin() options to be an object, got "connection"',
    );
    expect(() => exitWithin(5, m, { name: 7 as never })).toThrow(
      "Expected exitWithin() options.name to be a string, got 7",
    );
    expect(() => concurrently([m], true as never)).toThrow("Expected concurrently() options to be an object, got true");
    expect(() => concurrently([m], { parallelExit: "yes" as never })).toThrow(
      'Expected concurrently() options.parallelExit to be a boolean, got "yes"',
    );
  });

  it("is transparent for an exit that finishes in time, suppression included", async () => {
    const suppressing = { [aenter]: () => 1, [aexit]: async () => true };
    expect(await asyncWith(exitWithin(1_000, suppressing), () => Promise.reject(new Error("x")))).toBeUndefined();
  });
});

describe("concurrently", () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  it("starts every enter together, gives the values in order, and exits in reverse order, one by one", async () => {
    const log: string[] = [];
    const all = deferred();
    let started = 0;
    const make = (name: string) => ({
      async [aenter]() {
        log.push(`enter ${name}`);
        if (++started === 3) all.resolve();
        await all.promise; // resolves only once all three enters have started
        return name;
      },
      async [aexit]() {
        log.push(`exit ${name} start`);
        await Promise.resolve();
        log.push(`exit ${name} end`);
        return false;
      },
    });
    const values = await asyncWith(concurrently([make("a"), make("b"), make("c")]), (v) => v);
    expect(values).toEqual(["a", "b", "c"]);
    expect(log).toEqual([
      "enter a",
      "enter b",
      "enter c",
      "exit c start",
      "exit c end",
      "exit b start",
      "exit b end",
      "exit a start",
      "exit a end",
    ]);
  });

  it("when one enter fails: the ones that entered are exited seeing it, and it propagates (a second failure is suppressed onto it)", async () => {
    const log: string[] = [];
    const first = new Error("first");
    const second = new Error("second");
    const ok = (name: string) => ({
      [aenter]: () => name,
      [aexit]: (f?: Failure) => (log.push(`exit ${name} saw ${f ? "failure" : "-"}`), false),
    });
    const failing = (error: Error, ticks: number) => ({
      async [aenter]() {
        for (let i = 0; i < ticks; i++) await Promise.resolve();
        throw error;
      },
      [aexit]: () => (log.push("never"), false),
    });
    let ran = false;
    const error = await rejection(
      asyncWith(concurrently([ok("a"), failing(second, 5), ok("b"), failing(first, 1)]), () => void (ran = true)),
    );
    expect(ran).toBe(false);
    expect((error as { error?: unknown }).error).toBe(second);
    expect((error as { suppressed?: unknown }).suppressed).toBe(first);
    expect(log).toEqual(["exit b saw failure", "exit a saw failure"]);
  });

  it("with parallelExit, the exits run at once", async () => {
    const log: string[] = [];
    const make = (name: string) => ({
      [aenter]: () => name,
      async [aexit]() {
        log.push(`start ${name}`);
        await Promise.resolve();
        log.push(`end ${name}`);
        return false;
      },
    });
    await asyncWith(concurrently([make("a"), make("b")], { parallelExit: true }), () => {});
    expect(log).toEqual(["start a", "start b", "end a", "end b"]);
  });
});

describe("singleError", () => {
  it("gives the one error inside (nested) AggregateErrors, and anything else unchanged", () => {
    const one = new Error("one");
    expect(singleError(new AggregateError([new AggregateError([one])]))).toBe(one);
    const two = new AggregateError([one, new Error("two")]);
    expect(singleError(two)).toBe(two);
    expect(singleError(one)).toBe(one);
    expect(singleError("x")).toBe("x");
  });

  it("makes one failed task of a TaskGroup easy to catch by class", async () => {
    class NotFound extends Error {}
    const error = await rejection(
      asyncWith(new TaskGroup(), (group) => {
        group.spawn(async () => {
          throw new NotFound("user 7");
        });
      }),
    );
    expect(error).toBeInstanceOf(AggregateError);
    expect(singleError(error)).toBeInstanceOf(NotFound);
  });
});

describe("abort propagation is iterative", () => {
  it.each([
    ["timeouts", (signal: AbortSignal) => timeout(null, { signal })],
    ["task groups", (signal: AbortSignal) => new TaskGroup({ signal })],
  ] as const)(
    "10,000 nested %s abort without overflowing the stack, every block settling with the outer reason",
    async (_kind, scope) => {
      const outer = new AbortController();
      const reason = new Error("user went away");
      let innermost: AbortSignal | undefined;
      const nest = (depth: number, signal: AbortSignal): Promise<unknown> =>
        depth === 0
          ? ((innermost = signal), never(signal))
          : asyncWith(scope(signal), (s) => nest(depth - 1, s.signal));
      const running = nest(10_000, outer.signal);
      await expect.poll(() => innermost).toBeDefined(); // every scope entered
      outer.abort(reason);
      expect(await rejection(running)).toBe(reason);
      expect(innermost!.reason).toBe(reason);
    },
  );
});

describe("an outer cancellation is never lost (CPython gh-155433)", () => {
  const swallowed = (signal: AbortSignal) => untilAborted(signal).catch(() => {});

  it("after group.cancel(), an outer deadline that fires during the tasks' clean-up still raises TimeoutError", async () => {
    const error = await rejection(
      asyncWith(timeout(1), ({ signal: deadline }) =>
        asyncWith(new TaskGroup({ signal: deadline }), (group) => {
          group.spawn(async (signal) => {
            try {
              await never(signal);
            } finally {
              await swallowed(deadline); // the clean-up outlasts the outer deadline
            }
          });
          group.cancel();
        }),
      ),
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it("after an inner move-on fired first, an outer deadline during clean-up still raises TimeoutError", async () => {
    const error = await rejection(
      asyncWith(timeout(5), ({ signal: deadline }) =>
        asyncWith(moveOnAt(performance.now(), { signal: deadline }), async ({ signal }) => {
          try {
            await never(signal);
          } finally {
            await swallowed(deadline);
          }
        }),
      ),
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it("an outer abort after cancel(): the group rethrows the outer reason itself", async () => {
    const outer = new AbortController();
    const reason = new Error("user went away");
    const error = await rejection(
      asyncWith(new TaskGroup({ signal: outer.signal }), (group) => {
        group.spawn(async (signal) => {
          try {
            await never(signal);
          } finally {
            outer.abort(reason);
          }
        });
        group.cancel();
      }),
    );
    expect(error).toBe(reason);
  });

  it("a null reason is a reason like any other: tasks stopped by cancel(null) are not failures", async () => {
    expect(
      await asyncWith(new TaskGroup(), (group) => {
        group.spawn((signal) => never(signal));
        group.cancel(null);
        return "done";
      }),
    ).toBe("done");
  });
});
