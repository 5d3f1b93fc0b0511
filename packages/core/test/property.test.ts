// Property: for any program of nested managers and stack callbacks that succeed, throw or
// suppress at enter, body and exit, the library does exactly what the reference model says.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Item, type Manager, type Node, runModel, runReal } from "./model.js";

const thrown = fc.constantFrom("error", "error", "string", "undefined") as fc.Arbitrary<
  "error" | "string" | "undefined"
>;
const maybeThrown = fc.option(thrown, { freq: 3 });
const seeingExit = fc.constantFrom("ok", "throw", "suppress", "rethrow") as fc.Arbitrary<
  "ok" | "throw" | "suppress" | "rethrow"
>;
const disposerExit = fc.constantFrom("ok", "throw") as fc.Arbitrary<"ok" | "throw">;

const manager: fc.Arbitrary<Manager> = fc.oneof(
  fc.record({ kind: fc.constant("raw" as const), sync: fc.boolean(), enter: maybeThrown, exit: seeingExit, thrown }),
  fc.record({ kind: fc.constant("gen" as const), enter: maybeThrown, exit: seeingExit, thrown }),
  fc.record({ kind: fc.constant("disposable" as const), exit: disposerExit, thrown }),
);
const item: fc.Arbitrary<Item> = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), exit: seeingExit, thrown }),
  fc.record({ kind: fc.constantFrom("callback" as const, "defer" as const), exit: disposerExit, thrown }),
  fc.record({ kind: fc.constant("enterContext" as const), manager }),
);
const { node } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ kind: fc.constant("body" as const), throws: maybeThrown }),
    fc.record({ kind: fc.constant("with" as const), managers: fc.array(manager, { maxLength: 3 }), body: tie("node") }),
    fc.record({ kind: fc.constant("stack" as const), items: fc.array(item, { maxLength: 4 }), body: tie("node") }),
  ),
}));

describe("random programs against the reference model", () => {
  it("agree on the order of events, the result and the final error's shape", async () => {
    await fc.assert(
      fc.asyncProperty(node, async (program) => {
        expect(await runReal(program)).toEqual(runModel(program));
      }),
      { numRuns: 1000 },
    );
  });

  it("the model is not vacuous: it tells apart programs that differ only in one exit", () => {
    const body: Node = { kind: "body", throws: "error" };
    const raw = (exit: "ok" | "suppress" | "throw"): Node => ({
      kind: "with",
      managers: [{ kind: "raw", sync: false, enter: null, exit, thrown: "error" }],
      body,
    });
    const outcomes = (["ok", "suppress", "throw"] as const).map((exit) => runModel(raw(exit)).result);
    expect(outcomes).toEqual([
      { error: { id: "E1", cause: undefined } },
      { ok: undefined },
      { error: { id: "E2", cause: { id: "E1", cause: undefined } } },
    ]);
  });
});
