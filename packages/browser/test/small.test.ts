import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { abortScope, broadcastChannel, objectURL } from "../src/index.ts";

describe("objectURL", () => {
  it("gives a URL that works during the block and is revoked after", async () => {
    const url = await asyncWith(objectURL(new Blob(["hello"])), async (url) => {
      expect(await (await fetch(url)).text()).toBe("hello");
      return url;
    });
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe("broadcastChannel", () => {
  it("delivers messages during the block and is closed after, also when the block throws", async () => {
    const listener = new BroadcastChannel("test-channel");
    const received = new Promise((resolve) => (listener.onmessage = (event) => resolve(event.data)));
    const channel = await asyncWith(broadcastChannel("test-channel"), (channel) => (channel.postMessage("hi"), channel));
    expect(await received).toBe("hi");
    expect(() => channel.postMessage("after")).toThrow(/closed/i);
    let failed: BroadcastChannel | undefined;
    await expect(asyncWith(broadcastChannel("test-channel"), (c) => ((failed = c), Promise.reject(new Error("x"))))).rejects.toThrow("x");
    expect(() => failed!.postMessage("after")).toThrow(/closed/i);
    listener.close();
  });
});

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
