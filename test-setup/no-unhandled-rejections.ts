// Fails any test that leaves a promise rejection unhandled. Node reports one after the microtask
// queue drains, so each test ends with one macrotask turn before the check.
import { afterEach } from "vitest";

const unhandled = new Map<Promise<unknown>, unknown>();
process.on("unhandledRejection", (reason, promise) => void unhandled.set(promise, reason));
process.on("rejectionHandled", (promise) => void unhandled.delete(promise));

afterEach(async () => {
  await new Promise((resolve) => setImmediate(resolve));
  if (unhandled.size === 0) return;
  const reasons = [...unhandled.values()];
  unhandled.clear();
  throw new AggregateError(reasons, `This test left ${reasons.length} unhandled rejection(s): ${reasons.map(String).join("; ")}`);
});
