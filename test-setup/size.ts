// One size test for every adapter package: what it adds to a bundle beyond @asyncwith/core,
// min+gzip, against its budget in internal/dev/sizes.mjs (shared with `pnpm bench`). The package's
// own vitest is passed in, as for the conformance suite.
import { measure, sizes } from "@asyncwith/dev/sizes";

interface Kit {
  it(name: string, fn: () => Promise<void>): void;
  expect: (value: unknown) => { toBeLessThanOrEqual(n: number): void; toBeGreaterThan(n: number): void };
}

/** `floor`: a size below which the measurement surely missed the package (an empty bundle). */
export function testSize({ it, expect }: Kit, label: string, floor: number): void {
  const size = sizes.find((s) => s.label.startsWith(label));
  if (!size) throw new Error(`Expected a size entry for ${label} in internal/dev/sizes.mjs, got none`);
  it(`${label} adds at most ${size.budget} bytes min+gzip beyond core`, async () => {
    const bytes = await measure(size);
    console.log(`${size.label}: ${bytes} bytes min+gzip (budget ${size.budget})`);
    expect(bytes).toBeLessThanOrEqual(size.budget!);
    expect(bytes).toBeGreaterThan(floor);
  });
}
