import { describe, expectTypeOf, it } from "vitest";
import {
  aenter,
  aexit,
  asyncWith,
  concurrently,
  Condition,
  Event,
  exitWithin,
  Lock,
  moveOnAfter,
  Semaphore,
  singleError,
  suppress,
  TaskGroup,
  timeout,
  type TimeoutScope,
} from "../src/index.js";

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

  it("types cancellation: move-on scopes may resolve to undefined, groups and timeouts never do", async () => {
    expectTypeOf(await asyncWith(moveOnAfter(10), () => 1)).toEqualTypeOf<number | undefined>();
    expectTypeOf(await asyncWith(new TaskGroup({ signal: AbortSignal.timeout(1) }), () => 1)).toEqualTypeOf<number>();
    expectTypeOf(
      await asyncWith(timeout(10, { signal: new AbortController().signal }), () => 1),
    ).toEqualTypeOf<number>();
    expectTypeOf(singleError).returns.toEqualTypeOf<unknown>();
  });

  it("types concurrently and exitWithin after what they wrap", async () => {
    const plain = { [aenter]: () => "s", [aexit]: (): false => false };
    const values = await asyncWith(concurrently([plain, new Lock()]), (v) => {
      expectTypeOf(v).toEqualTypeOf<[string, void]>();
      return v[0];
    });
    expectTypeOf(values).toEqualTypeOf<string>();
    expectTypeOf(await asyncWith(concurrently([plain, suppress(TypeError)]), () => 1)).toEqualTypeOf<
      number | undefined
    >();
    expectTypeOf(await asyncWith(exitWithin(5, plain), (s) => s)).toEqualTypeOf<string>();
    expectTypeOf(await asyncWith(exitWithin(5, suppress(TypeError)), () => 1)).toEqualTypeOf<number | undefined>();
  });
});
