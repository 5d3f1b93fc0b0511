import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { abortScope } from "../src/index.ts";

describe("abortScope", () => {
  it("aborts the signal when the block ends, with the block's error as the reason on failure", async () => {
    const ok = await asyncWith(abortScope(), (signal) => (expect(signal.aborted).toBe(false), signal));
    expect(ok.aborted).toBe(true);
    expect(ok.reason).toMatchObject({ name: "AbortError" });
    const error = new Error("failed");
    let seen: AbortSignal | undefined;
    await expect(asyncWith(abortScope(), (signal) => ((seen = signal), Promise.reject(error)))).rejects.toBe(error);
    expect(seen!.reason).toBe(error);
  });

  it("removes listeners added with { signal } when the block ends", async () => {
    let calls = 0;
    const target = new EventTarget();
    await asyncWith(abortScope(), (signal) => {
      target.addEventListener("ping", () => calls++, { signal });
      target.dispatchEvent(new Event("ping"));
    });
    target.dispatchEvent(new Event("ping"));
    expect(calls).toBe(1);
  });
});
