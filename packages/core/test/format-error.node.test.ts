// formatError on errors from another realm (a vm context here; an iframe in a browser): not
// `instanceof Error` in this realm, and still walked as errors.
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";
import { formatError } from "../src/index.js";

it("walks errors from another realm: name, message, frame, and their cause", () => {
  const foreign = runInNewContext(`new TypeError("outer", { cause: new RangeError("inner") })`);
  expect(foreign instanceof Error).toBe(false);
  const lines = formatError(foreign)
    .split("\n")
    .map((l) => l.replace(/ \(at .*\)$/, ""));
  expect(lines).toEqual(["TypeError: outer", "  cause: RangeError: inner"]);
});
