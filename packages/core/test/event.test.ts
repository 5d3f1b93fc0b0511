import { describe, expect, it } from "vitest";
import { Event } from "../src/index.js";

describe("Event", () => {
  it("wakes every waiter when set, and waits again after clear", async () => {
    const event = new Event();
    const woken: number[] = [];
    const waiting = [1, 2].map((n) => event.wait().then(() => woken.push(n)));
    expect(event.isSet).toBe(false);
    event.set();
    await Promise.all(waiting);
    expect(woken).toEqual([1, 2]);
    await event.wait(); // set: resolves at once
    event.clear();
    const controller = new AbortController();
    const pending = event.wait({ signal: controller.signal });
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
  });
});
