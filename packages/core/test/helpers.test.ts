import { describe, expect, it } from "vitest";
import { aclosing, asyncWith, closing, nullContext, suppress } from "../src/index.js";
import { rejection } from "./fixtures.js";

class NotFound extends Error {}
class Gone extends NotFound {}

describe("suppress", () => {
  it("suppresses errors of a class or its subclasses, and lets others through", async () => {
    await expect(
      asyncWith(suppress(NotFound), () => {
        throw new Gone();
      }),
    ).resolves.toBeUndefined();
    const other = new TypeError("other");
    expect(
      await rejection(
        asyncWith(suppress(NotFound), () => {
          throw other;
        }),
      ),
    ).toBe(other);
  });

  it("treats Error itself as a class and other functions as predicates", async () => {
    await expect(
      asyncWith(suppress(Error), () => {
        throw new RangeError();
      }),
    ).resolves.toBeUndefined();
    expect(
      await rejection(
        asyncWith(suppress(Error), () => {
          throw "not an error";
        }),
      ),
    ).toBe("not an error");
    await expect(
      asyncWith(
        suppress((e) => e === "skip"),
        () => {
          throw "skip";
        },
      ),
    ).resolves.toBeUndefined();
  });

  it("is reusable and passes results through on success", async () => {
    const m = suppress(NotFound);
    await expect(asyncWith(m, () => 1)).resolves.toBe(1);
    await expect(asyncWith(m, () => 2)).resolves.toBe(2);
  });

  it("needs at least one matcher, each a function", () => {
    expect(() => suppress()).toThrow(
      new TypeError("Expected suppress() to be given at least one error class or predicate, got none"),
    );
    expect(() => suppress("TypeError" as never)).toThrow(
      new TypeError('Expected suppress() to be given error classes or predicates, got "TypeError"'),
    );
  });
});

describe("nullContext", () => {
  it("gives its value and lets errors through", async () => {
    await expect(asyncWith(nullContext(5), (v) => v * 2)).resolves.toBe(10);
    await expect(asyncWith(nullContext(), (v) => v)).resolves.toBeUndefined();
    const boom = new Error("boom");
    expect(
      await rejection(
        asyncWith(nullContext(), () => {
          throw boom;
        }),
      ),
    ).toBe(boom);
  });
});

describe("closing and aclosing", () => {
  it("closing gives x and awaits x.close() on every path", async () => {
    let closed = 0;
    const x = { close: async () => void closed++ };
    await expect(asyncWith(closing(x), (v) => v === x)).resolves.toBe(true);
    await expect(
      asyncWith(closing(x), () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(closed).toBe(2);
  });

  it("aclosing ends an async generator early with return(), so its finally runs", async () => {
    const log: string[] = [];
    async function* numbers() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        log.push("finally");
      }
    }
    await asyncWith(aclosing(numbers()), async (it) => {
      for await (const n of it) if (n === 2) break;
    });
    const gen = numbers();
    await asyncWith(aclosing(gen), async (it) => {
      await it.next();
    });
    expect(log).toEqual(["finally", "finally"]);
  });

  it("aclosing falls back to close() when there is no return()", async () => {
    let closed = false;
    await asyncWith(aclosing({ close: () => void (closed = true) }), () => {});
    expect(closed).toBe(true);
  });

  it("rejects objects without the method at once", () => {
    expect(() => closing({} as never)).toThrow(
      new TypeError("Expected closing() to be given an object with a close() method, got an object"),
    );
    expect(() => aclosing(null as never)).toThrow(
      new TypeError("Expected aclosing() to be given an object with a close() or return() method, got null"),
    );
  });
});
