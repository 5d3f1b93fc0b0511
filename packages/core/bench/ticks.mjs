/** Counts the microtask ticks `run` takes to settle: a ticker re-queues itself until it is done. */
export async function countTicks(run) {
  let count = 0;
  let done = false;
  const tick = () => {
    if (done) return;
    count++;
    queueMicrotask(tick);
  };
  queueMicrotask(tick);
  await run().catch(() => {});
  done = true;
  return count;
}
