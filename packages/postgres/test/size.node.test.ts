// Size budget: what the package adds to a user's bundle beyond @asyncwith/core, min+gzip
// (figure and budget in scripts/lib/sizes.mjs, shared with `pnpm bench`).
import { expect, it } from "vitest";
import { measure, sizes } from "../../../scripts/lib/sizes.mjs";

const size = sizes.find((s) => s.label.startsWith("@asyncwith/postgres"))!;

it(`the whole package adds at most ${size.budget} bytes min+gzip beyond core`, async () => {
  const bytes = await measure(size);
  console.log(`${size.label}: ${bytes} bytes min+gzip (budget ${size.budget})`);
  expect(bytes).toBeLessThanOrEqual(size.budget!);
  expect(bytes).toBeGreaterThan(500); // it measured something real
});
