import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { objectURL } from "../src/index.ts";

describe("objectURL", () => {
  it("gives a URL that works during the block and is revoked after", async () => {
    const url = await asyncWith(objectURL(new Blob(["hello"])), async (url) => {
      expect(await (await fetch(url)).text()).toBe("hello");
      return url;
    });
    await expect(fetch(url)).rejects.toThrow();
  });
});
