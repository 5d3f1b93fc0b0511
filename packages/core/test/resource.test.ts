import { describe, expect, it } from "vitest";
import { aenter, aexit, AsyncExitStack, asyncWith, type Failure, resource } from "../src/index.ts";

describe("resource(enter, exit, name)", () => {
  it("gives enter's value to the block and exits with it on success", async () => {
    const seen: unknown[] = [];
    const result = await asyncWith(
      resource(
        async () => ({ id: 1 }),
        (value, failure) => void seen.push(value, failure),
      ),
      (value) => value.id + 1,
    );
    expect(result).toBe(2);
    expect(seen).toEqual([{ id: 1 }, undefined]);
  });

  it("exits with the failure and lets the very same error propagate (it cannot suppress)", async () => {
    const error = new Error("block failed");
    let seen: Failure | undefined;
    const manager = resource(
      () => "v",
      (_value, failure) => ((seen = failure), true),
    );
    await expect(asyncWith(manager, () => Promise.reject(error))).rejects.toBe(error);
    expect(seen).toEqual({ error });
  });

  it("an exit that throws replaces the error, the original kept as its cause", async () => {
    const error = new Error("block failed");
    const closeError = new Error("close failed");
    const thrown = await asyncWith(
      resource(
        () => 1,
        () => Promise.reject(closeError),
      ),
      () => Promise.reject(error),
    ).catch((e: unknown) => e);
    expect(thrown).toBe(closeError);
    expect((thrown as Error).cause).toBe(error);
  });

  it("does not exit when enter failed", async () => {
    let exited = false;
    const error = new Error("cannot open");
    await expect(
      asyncWith(
        resource(
          () => Promise.reject(error),
          () => void (exited = true),
        ),
        () => {},
      ),
    ).rejects.toBe(error);
    expect(exited).toBe(false);
  });

  it("is single-use and says so with its name; exiting out of order is refused", async () => {
    const manager = resource(
      () => 1,
      () => {},
      "connection",
    );
    await asyncWith(manager, () => {});
    await expect(asyncWith(manager, () => {})).rejects.toThrow(
      "Expected a fresh connection() manager, got one already entered: managers are single-use, call connection() again",
    );
    await expect(
      resource(
        () => 1,
        () => {},
      )[aexit](),
    ).rejects.toThrow("Expected an entered resource() manager to exit, got one that was never entered");
    const twice = resource(
      () => 1,
      () => {},
    );
    await twice[aenter]();
    await twice[aexit]();
    await expect(twice[aexit]()).rejects.toThrow("got one that was already exited");
  });

  it("works in an AsyncExitStack, LIFO with the rest", async () => {
    const order: string[] = [];
    await asyncWith(new AsyncExitStack(), async (stack) => {
      await stack.enterContext(
        resource(
          () => "a",
          () => void order.push("a"),
        ),
      );
      await stack.enterContext(
        resource(
          () => "b",
          () => void order.push("b"),
        ),
      );
    });
    expect(order).toEqual(["b", "a"]);
  });

  it("rejects what is not a function, saying what it got", () => {
    expect(() => resource(42 as never, () => {})).toThrow(
      "Expected resource() to be given an enter and an exit function, got 42",
    );
  });
});
