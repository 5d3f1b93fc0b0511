// Microtask ticks are deterministic, so they can be asserted where time cannot: asyncWith must
// cost no tick beyond a hand-written enter/try/finally/exit.
import { describe, expect, it } from "vitest";
import { countTicks as ticks } from "../bench/ticks.mjs";
import { aenter, aexit, asyncWith } from "../src/index.js";

const enter = async () => "v";
const exit = async () => false;
const body = async () => 1;
const m = { [aenter]: enter, [aexit]: exit };

describe("microtask ticks", () => {
  it("asyncWith adds none on the success path", async () => {
    const raw = await ticks(async () => {
      const v = await enter();
      try {
        return await body();
      } finally {
        await exit();
      }
    });
    expect(await ticks(() => asyncWith(m, body))).toBe(raw);
  });

  it("asyncWith adds none on the failure path", async () => {
    const fail = async () => {
      throw new Error("x");
    };
    const raw = await ticks(async () => {
      await enter();
      try {
        return await fail();
      } finally {
        await exit();
      }
    });
    expect(await ticks(() => asyncWith(m, fail))).toBe(raw);
  });
});
