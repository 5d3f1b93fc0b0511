import { env } from "cloudflare:workers";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { rpcStub } from "../src/index.ts";

describe("rpcStub (in workerd, real Workers RPC)", () => {
  it("gives the stub for the block and disposes it on exit, which the remote side sees", async () => {
    const object = env.STORE.get(env.STORE.newUniqueId());
    const greeting = await asyncWith(rpcStub(await object.open()), (session) => session.hello());
    expect(greeting).toBe("hello from the session");
    await expect.poll(() => object.disposedCount()).toBe(1);
  });

  it("disposes it when the block throws too", async () => {
    const object = env.STORE.get(env.STORE.newUniqueId());
    const error = new Error("boom");
    await expect(asyncWith(rpcStub(await object.open()), () => Promise.reject(error))).rejects.toBe(error);
    await expect.poll(() => object.disposedCount()).toBe(1);
  });

  it("rejects what cannot be disposed", () => {
    expect(() => rpcStub({} as never)).toThrow(
      "Expected rpcStub() to be given an RPC stub (with Symbol.dispose), got an object",
    );
  });
});
