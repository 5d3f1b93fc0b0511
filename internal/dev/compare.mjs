// Shared by every package's `pnpm bench`: each case's cost as a ratio to the first (the baseline),
// measured in the same process and run. The machine is noisy, so it runs several rounds; each
// round measures every case back to back, starting with a different one, and the ratio shown is
// the median of the rounds'. With `countTicks`, it also shows the microtask ticks each case adds.
import { Bench } from "tinybench";

/**
 * Makes a `compare(title, cases, options?)` for one bench run. A case is a function, or
 * `{ run, goal?, ticks? }`: `goal` is a ratio to reach (reported, never enforced: timing is noisy);
 * `ticks` is the exact number of extra microtask ticks, which is deterministic: a case that takes
 * more is listed in `tickFailures`. Each call returns its table's rows.
 */
export function comparer({ quick = false, countTicks } = {}) {
  compare.tickFailures = [];
  return compare;

  async function compare(title, cases, { ticks: withTicks = countTicks !== undefined } = {}) {
    const entries = Object.entries(cases).map(([name, c]) => [name, typeof c === "function" ? { run: c } : c]);
    const rounds = quick ? 3 : 7;
    const ratios = entries.map(() => []);
    const nanos = entries.map(() => []);
    // Round 0 only warms the JIT up. Each later round starts with a different case, so that no case
    // (the baseline included) is always measured first.
    for (let round = 0; round <= rounds; round++) {
      const bench = new Bench({ time: quick ? 60 : 400, warmup: true, warmupTime: quick ? 20 : 100 });
      const order = entries.map((_, i) => (i + round) % entries.length);
      for (const i of order) bench.add(String(i), entries[i][1].run);
      await bench.run();
      if (round === 0) continue;
      const mean = new Map(bench.tasks.map((t) => [Number(t.name), t.result.latency.mean]));
      for (const [i] of entries.entries()) {
        ratios[i].push(mean.get(i) / mean.get(0));
        nanos[i].push(mean.get(i) * 1e6);
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const baseTicks = withTicks ? await countTicks(entries[0][1].run) : 0;
    const rows = [];
    for (const [i, [name, c]] of entries.entries()) {
      const ratio = median(ratios[i]);
      const extra = withTicks ? (await countTicks(c.run)) - baseTicks : undefined;
      const met = c.goal === undefined ? "" : ratio <= c.goal ? "yes" : "not yet";
      if (c.ticks !== undefined && extra > c.ticks)
        compare.tickFailures.push(`${name}: ${extra} extra microtask ticks, budget ${c.ticks}`);
      rows.push({
        construct: name,
        "ns/op": Math.round(median(nanos[i])),
        "× baseline": ratio.toFixed(2),
        ...(withTicks ? { "extra ticks": extra } : {}),
        goal: c.goal === undefined ? "" : `≤ ${c.goal}×`,
        met,
        ...(c.ticks === undefined ? {} : { "tick budget": c.ticks }),
      });
    }
    console.log(`\n${title} — Node ${process.version}, median of ${rounds} rounds${quick ? " (quick)" : ""}`);
    console.table(rows);
    return rows;
  }
}
