// Node only: needs a child process to show that no timer outlives the block.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("timeout in a real process", () => {
  it("clears its timer on exit, so it keeps no process alive", () => {
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const script = `import { asyncWith, timeout } from ${JSON.stringify(dist)};
      await asyncWith(timeout(3_600_000), () => {});
      await asyncWith(timeout(3_600_000), () => { throw new Error("x") }).catch(() => {});
      console.log("done");`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(child.error).toBeUndefined(); // a live timer would hold the process for an hour
    expect(child.stdout.trim()).toBe("done");
    expect(child.status).toBe(0);
  });
});
