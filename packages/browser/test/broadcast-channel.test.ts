import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { broadcastChannel } from "../src/index.ts";

describe("broadcastChannel", () => {
  it("delivers messages during the block and is closed after, also when the block throws", async () => {
    const listener = new BroadcastChannel("test-channel");
    const received = new Promise((resolve) => (listener.onmessage = (event) => resolve(event.data)));
    const channel = await asyncWith(
      broadcastChannel("test-channel"),
      (channel) => (channel.postMessage("hi"), channel),
    );
    expect(await received).toBe("hi");
    expect(() => channel.postMessage("after")).toThrow(/closed/i);
    let failed: BroadcastChannel | undefined;
    await expect(
      asyncWith(broadcastChannel("test-channel"), (c) => ((failed = c), Promise.reject(new Error("x")))),
    ).rejects.toThrow("x");
    expect(() => failed!.postMessage("after")).toThrow(/closed/i);
    listener.close();
  });
});
