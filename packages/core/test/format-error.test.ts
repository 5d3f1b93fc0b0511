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
