import { describe, expectTypeOf, it } from "vitest";
import {
  aenter,
  aexit,
  type AsyncContextManager,
  AsyncExitStack,
  asyncWith,
  contextManager,
  type Entered,
  enter,
  nullContext,
  suppress,
} from "../src/index.js";

const connection = contextManager(async function* (url: string) {
  yield { url, query: (sql: string) => [sql] };
});
const lock: AsyncContextManager<void, false> = { [aenter]() {}, [aexit]: () => false };
const file = { name: "f", async [Symbol.asyncDispose]() {} };

describe("asyncWith types", () => {
  it("flows the generator's yield type to the body", () => {
    asyncWith(connection("db://"), (conn) => {
      expectTypeOf(conn).toEqualTypeOf<{ url: string; query: (sql: string) => string[] }>();
    });
  });

  it("checks the factory's parameters", () => {
    // @ts-expect-error the factory takes a string
    connection(42);
  });

  it("passes a typed tuple of values for an array of managers", () => {
    asyncWith([connection("a"), lock, file, nullContext(3)], (values) => {
      expectTypeOf(values).toEqualTypeOf<
        [{ url: string; query: (sql: string) => string[] }, void, typeof file, number]
      >();
    });
  });

  it("returns the body's awaited result, adding undefined only when an exit may suppress", () => {
    expectTypeOf(asyncWith(lock, async () => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(asyncWith(file, () => "s")).toEqualTypeOf<Promise<string>>();
    expectTypeOf(asyncWith(connection("a"), async () => 1)).toEqualTypeOf<Promise<number>>(); // not declared to suppress
    expectTypeOf(asyncWith(suppress(TypeError), () => 1)).toEqualTypeOf<Promise<number | undefined>>();
    expectTypeOf(asyncWith([lock, file], () => true)).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(asyncWith([lock, new AsyncExitStack()], () => true)).toEqualTypeOf<Promise<boolean | undefined>>();
  });

  it("gives a disposable itself, and a stack itself", () => {
    asyncWith(file, (f) => expectTypeOf(f).toEqualTypeOf<typeof file>());
    asyncWith(new AsyncExitStack(), (s) => expectTypeOf(s).toEqualTypeOf<AsyncExitStack>());
  });

  it("rejects what is not a manager", () => {
    // @ts-expect-error 42 is not a manager
    asyncWith(42, () => {});
    // @ts-expect-error half a manager
    asyncWith({ [aenter]() {} }, () => {});
    // @ts-expect-error a promise of a manager must be awaited first
    asyncWith(Promise.resolve(lock), () => {});
  });
});

describe("contextManager types", () => {
  it("accepts only async generator functions", () => {
    // @ts-expect-error a sync generator
    contextManager(function* () {
      yield 1;
    });
    // @ts-expect-error an async function
    contextManager(async () => 1);
  });

  it("types the block's result R unless the generator is declared to suppress (then R | undefined)", async () => {
    const plain = contextManager(async function* () {
      yield 1;
    });
    expectTypeOf(await asyncWith(plain(), (n) => n + 1)).toEqualTypeOf<number>();
    const swallowing = contextManager(
      async function* () {
        try {
          yield 1;
        } catch {}
      },
      { suppresses: true },
    );
    expectTypeOf(await asyncWith(swallowing(), (n) => n + 1)).toEqualTypeOf<number | undefined>();
  });
});

describe("await using compatibility", () => {
  it("enter() gives an AsyncDisposable handle with the typed value", async () => {
    const scope = await enter(connection("a"));
    expectTypeOf(scope).toEqualTypeOf<Entered<{ url: string; query: (sql: string) => string[] }>>();
    expectTypeOf(scope).toMatchTypeOf<AsyncDisposable>();
    expectTypeOf(scope.ok).toEqualTypeOf<() => void>();
    await using tx = await enter(lock);
    expectTypeOf(tx.value).toEqualTypeOf<void>();
  });

  it("AsyncExitStack is an AsyncDisposable and has AsyncDisposableStack's methods", () => {
    expectTypeOf<AsyncExitStack>().toMatchTypeOf<AsyncDisposable>();
    expectTypeOf<AsyncExitStack>().toMatchTypeOf<Omit<AsyncDisposableStack, "move" | typeof Symbol.toStringTag>>();
    expectTypeOf<AsyncExitStack["move"]>().returns.toEqualTypeOf<AsyncExitStack>();
  });

  it("types the stack's adders", () => {
    const stack = new AsyncExitStack();
    expectTypeOf(stack.use(file)).toEqualTypeOf<typeof file>();
    expectTypeOf(stack.adopt(1, (n) => expectTypeOf(n).toEqualTypeOf<number>())).toEqualTypeOf<number>();
    expectTypeOf(stack.enterContext(connection("a"))).resolves.toHaveProperty("url");
    stack.callback((a: number, b: string) => [a, b], 1, "x");
    // @ts-expect-error callback's arguments are checked against the function
    stack.callback((a: number) => a, "x");
  });
});

describe("resource", () => {
  it("types the value from enter, gives it to exit, and never adds | undefined to the result", async () => {
    const { resource } = await import("../src/index.ts");
    const m = resource(
      async () => ({ port: 1 }),
      (value) => expectTypeOf(value).toEqualTypeOf<{ port: number }>(),
    );
    expectTypeOf(await asyncWith(m, (v) => v.port)).toEqualTypeOf<number>();
  });
});

describe("enter options (cancellable enters)", () => {
  it("asyncWith, enterContext and enter() take { signal }; [aenter] and resource's enter receive it", async () => {
    const { resource } = await import("../src/index.ts");
    const signal = new AbortController().signal;
    const m = resource(
      (options) => {
        expectTypeOf(options.signal).toEqualTypeOf<AbortSignal | undefined>();
        return 1;
      },
      () => {},
    );
    expectTypeOf(asyncWith(m, (v) => v, { signal })).resolves.toEqualTypeOf<number>();
    expectTypeOf(asyncWith([m, m], ([a, b]) => a + b, { signal })).resolves.toEqualTypeOf<number>();
    expectTypeOf(new AsyncExitStack().enterContext(m, { signal })).resolves.toEqualTypeOf<number>();
    expectTypeOf(enter(m, { signal })).resolves.toEqualTypeOf<Entered<number>>();
    expectTypeOf<AsyncContextManager[typeof aenter]>().parameters.toEqualTypeOf<[options?: { signal?: AbortSignal }]>();
    // @ts-expect-error the options are an object with a signal, not a signal
    void asyncWith(m, (v) => v, signal);
  });
});
