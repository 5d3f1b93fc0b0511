// formatError: errors that meet (SuppressedError, AggregateError, `cause`) as one readable tree.
import { describe, expect, it } from "vitest";
import { formatError, SuppressedError } from "../src/index.js";

describe("formatError", () => {
  it("prints SuppressedError, AggregateError and cause chains as an indented tree, one line each with where it was thrown", () => {
    const root = new Error("socket closed");
    const tree = new SuppressedError(
      new AggregateError([new Error("a"), "plain string"], "2 failed"),
      new Error("insert failed", { cause: root }),
      "An error was suppressed during disposal",
    );
    const lines = formatError(tree).split("\n");
    expect(lines.map((l) => l.replace(/ \(at .*\)$/, ""))).toEqual([
      "SuppressedError: An error was suppressed during disposal",
      "  error: AggregateError: 2 failed",
      "    [0]: Error: a",
      '    [1]: "plain string"',
      "  suppressed: Error: insert failed",
      "    cause: Error: socket closed",
    ]);
    expect(lines[0]).toMatch(/ \(at .+\)$/); // the first stack frame, wherever the runtime prints it
  });

  it("shows an error met twice once, and survives a cycle", () => {
    const a = new Error("a") as Error & { cause?: unknown };
    a.cause = a;
    expect(
      formatError(a)
        .split("\n")
        .map((l) => l.replace(/ \(at .*\)$/, "")),
    ).toEqual(["Error: a", "  cause: (already shown above)"]);
  });
});

describe("formatError never throws (it runs in the catch blocks that log)", () => {
  const hostile: [string, unknown][] = [
    ["an object with no prototype", Object.create(null)],
    [
      "an object whose toString throws",
      {
        toString: () => {
          throw new Error("no");
        },
      },
    ],
    ["a symbol", Symbol("s")],
    ["an Error whose stack is not a string", Object.assign(new Error("odd stack"), { stack: 42 })],
    [
      "an Error whose getters throw",
      Object.defineProperties(new Error("x"), {
        message: {
          get() {
            throw new Error("getter");
          },
        },
        cause: {
          get() {
            throw new Error("cause getter");
          },
        },
      }),
    ],
    [
      "a proxy that throws on every trap",
      new Proxy(
        {},
        {
          get() {
            throw new Error("trap");
          },
          has() {
            throw new Error("trap");
          },
          getPrototypeOf() {
            throw new Error("trap");
          },
        },
      ),
    ],
    [
      "a revoked proxy",
      (() => {
        const p = Proxy.revocable({}, {});
        p.revoke();
        return p.proxy;
      })(),
    ],
  ];
  it.each(hostile)("on %s, it returns one line", (_name, value) => {
    const formatted = formatError(value);
    expect(typeof formatted).toBe("string");
    expect(formatted.length).toBeGreaterThan(0);
  });

  it("prints what it can of such values", () => {
    expect(formatError(Object.create(null))).toBe("[object Object]");
    expect(formatError(Symbol("s"))).toBe("Symbol(s)");
    expect(formatError(Object.assign(new Error("odd stack"), { stack: 42 }))).toBe("Error: odd stack");
  });

  it("says what its depth cap is, instead of claiming the rest was shown", () => {
    let deepest: Error = new Error("level 0");
    for (let i = 1; i <= 30; i++) deepest = new Error(`level ${i}`, { cause: deepest });
    const lines = formatError(deepest).split("\n");
    expect(lines).toHaveLength(22);
    expect(lines.at(-1)).toMatch(/^ +cause: \(deeper than 20 levels: not shown\)$/);
    expect(lines.join("\n")).not.toContain("already shown above");
  });
});

it("formatError survives an AggregateError whose errors cannot be read", () => {
  const errors = new Proxy([new Error("a")], {
    get(target, key) {
      if (key === "0") throw new Error("trap");
      return Reflect.get(target, key);
    },
  });
  const aggregate = new AggregateError([], "many");
  Object.defineProperty(aggregate, "errors", { value: errors });
  expect(formatError(aggregate).split("\n")[0]).toMatch(/^AggregateError: many/);
});
