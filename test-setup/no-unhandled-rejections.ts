// Fails any test that leaves a promise rejection unhandled, on every runtime the tests run in:
// Node reports through `process`, browsers and workerd through `unhandledrejection` events. A
// rejection is reported after the microtask queue drains, so each test ends with macrotask turns
// before the check. Each package's setup file passes in its own `afterEach`, so this module
// never imports vitest itself (workerd's pool would load a second copy from outside the package).

export function failOnUnhandledRejections(afterEach: (fn: () => Promise<void>) => void): void {
  const unhandled = listen();
  afterEach(async () => {
    // Browsers fire `unhandledrejection` from a task queued after the microtask checkpoint, which
    // may come after one timer task: two turns make sure it has been seen before the check.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
    if (unhandled.size === 0) return;
    const reasons = [...unhandled.values()];
    unhandled.clear();
    throw new AggregateError(
      reasons,
      `This test left ${reasons.length} unhandled rejection(s): ${reasons.map(String).join("; ")}`,
    );
  });
}

/** The listeners, installed once per realm: files run without isolation share one (isolate: false). */
function listen(): Map<unknown, unknown> {
  const key = Symbol.for("asyncwith.test.unhandledRejections");
  const shared = globalThis as unknown as Record<symbol, Map<unknown, unknown> | undefined>;
  const existing = shared[key];
  if (existing) return existing;
  const unhandled = new Map<unknown, unknown>();
  shared[key] = unhandled;
  const node = (globalThis as { process?: { on?: Function } }).process;
  if (typeof node?.on === "function") {
    node.on("unhandledRejection", (reason: unknown, promise: unknown) => void unhandled.set(promise, reason));
    node.on("rejectionHandled", (promise: unknown) => void unhandled.delete(promise));
  } else {
    const events = globalThis as unknown as {
      addEventListener(type: string, listener: (e: { promise: unknown; reason: unknown }) => void): void;
    };
    events.addEventListener("unhandledrejection", (e) => void unhandled.set(e.promise, e.reason));
    events.addEventListener("rejectionhandled", (e) => void unhandled.delete(e.promise));
  }
  return unhandled;
}
