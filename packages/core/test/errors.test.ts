// SuppressedError: the runtime's own where it has one, else our ponyfill, which must match the
// spec in every observable way (it is what Node 20 users get). The ponyfill is tested directly too,
// so these run on runtimes that have a native one.
import { describe, expect, it } from "vitest";
import { _ponyfill } from "../src/errors.js";
import { SuppressedError } from "../src/index.js";

const native = (globalThis as { SuppressedError?: unknown }).SuppressedError as typeof SuppressedError | undefined;
const kinds = [["ponyfill", _ponyfill()], ...(native ? [["native", native] as const] : [])] as const;

describe.each(kinds)("SuppressedError (%s)", (_kind, S) => {
  it("is named SuppressedError, has length 3, and is callable with or without new", () => {
    expect([S.name, S.length]).toEqual(["SuppressedError", 3]);
    const a = new Error("a");
    const b = new Error("b");
    for (const e of [new S(a, b, "m"), S(a, b, "m")]) {
      expect(e).toBeInstanceOf(S);
      expect(e).toBeInstanceOf(Error);
      expect([e.name, e.message, e.error, e.suppressed]).toEqual(["SuppressedError", "m", a, b]);
    }
  });

  it("handles message as the spec does: undefined gives no own property, anything else is ToString'ed", () => {
    expect(Object.hasOwn(new S(1, 2), "message")).toBe(false);
    expect(new S(1, 2).message).toBe("");
    expect(Object.getOwnPropertyDescriptor(new S(1, 2, 42 as never), "message")).toEqual({
      value: "42",
      writable: true,
      enumerable: false,
      configurable: true,
    });
    expect(() => new S(1, 2, Symbol("no") as never)).toThrow(TypeError);
  });

  it("has error and suppressed as non-enumerable, writable, configurable own properties", () => {
    const e = new S("x", "y");
    for (const key of ["error", "suppressed"]) {
      expect(Object.getOwnPropertyDescriptor(e, key)).toEqual({
        value: key === "error" ? "x" : "y",
        writable: true,
        enumerable: false,
        configurable: true,
      });
    }
    expect(Object.keys(e)).toEqual([]);
    expect(Object.getOwnPropertyDescriptor(S, "prototype")).toMatchObject({
      writable: false,
      enumerable: false,
      configurable: false,
    });
    expect(Object.getPrototypeOf(S)).toBe(Error);
  });

  it("subclasses work, and a NewTarget whose prototype is not an object falls back to SuppressedError.prototype", () => {
    class Sub extends (S as unknown as new (error: unknown, suppressed: unknown, message?: string) => Error) {}
    const sub = new Sub(1, 2, "s");
    expect(sub).toBeInstanceOf(Sub);
    expect(sub).toBeInstanceOf(S);
    function Target() {}
    Target.prototype = 5;
    expect(Object.getPrototypeOf(Reflect.construct(S, [1, 2], Target))).toBe(S.prototype);
  });
});

it("the exported SuppressedError is the runtime's own where it exists", () => {
  expect(SuppressedError).toBe(native ?? SuppressedError);
  if (!native) expect(SuppressedError.name).toBe("SuppressedError");
});
