import { describe, expectTypeOf, it } from "vitest";
import { asyncWith, Condition, Event, Lock, Semaphore, TaskGroup, timeout, type TimeoutScope } from "../src/index.js";

describe("concurrency types", () => {
  it("gives a timeout block its scope, and the body's result back", () => {
    expectTypeOf(
      asyncWith(timeout(10), (scope) => {
        expectTypeOf(scope).toEqualTypeOf<TimeoutScope>();
        expectTypeOf(scope.signal).toEqualTypeOf<AbortSignal>();
        return 1;
      }),
    ).toEqualTypeOf<Promise<number>>();
  });

  it("types a task's promise from its function", () => {
    asyncWith(new TaskGroup(), (group) => {
      expectTypeOf(group.spawn(async () => "s")).toEqualTypeOf<Promise<string>>();
      expectTypeOf(group.spawn(() => 1)).toEqualTypeOf<Promise<number>>();
      // @ts-expect-error a task is a function of the signal
      group.spawn(Promise.resolve(1));
    });
  });

  it("makes locks, semaphores and conditions managers whose exit never suppresses", () => {
    expectTypeOf(asyncWith(new Lock(), () => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(asyncWith([new Semaphore(2), new Condition()], () => "x")).toEqualTypeOf<Promise<string>>();
    expectTypeOf(new Event().wait).parameter(0).toEqualTypeOf<{ signal?: AbortSignal } | undefined>();
  });
});
