// Bundle-size budgets of the core (min+gzip, tree-shaken): the figures and budgets live in
// internal/dev/sizes.mjs, shared with `pnpm bench` and `npm run sizes`.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { measure, sizes } from "@asyncwith/dev/sizes";

describe("bundle size (min+gzip)", () => {
  for (const size of sizes.filter((s) => s.label.startsWith("core:"))) {
    it(`${size.label} stays within ${size.budget} bytes`, async () => {
      const bytes = await measure(size);
      console.log(`${size.label}: ${bytes} bytes min+gzip (budget ${size.budget})`);
      expect(bytes).toBeLessThanOrEqual(size.budget!);
      expect(bytes).toBeGreaterThan(500); // the measurement itself bundled something real
    });
  }

  it("is far smaller than core-js's AsyncDisposableStack and SuppressedError", async () => {
    const core = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const ours = await measure({ exports: { [core]: ["AsyncExitStack", "SuppressedError"] } });
    const coreJs = await measure(sizes.find((s) => s.label.startsWith("core-js"))!);
    console.log(`AsyncExitStack + SuppressedError: ${ours} bytes; core-js-pure equivalent: ${coreJs} bytes`);
    expect(ours * 4).toBeLessThan(coreJs);
  });
});
