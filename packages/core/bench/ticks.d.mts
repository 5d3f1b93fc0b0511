/** Counts the microtask ticks `run` takes to settle. */
export function countTicks(run: () => Promise<unknown>): Promise<number>;
