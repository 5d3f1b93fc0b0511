// Random trees of timeouts, move-on scopes, task groups and a shared lock, with random outer aborts
// and cancels, checked against the invariants of structured cancellation: every task settled before
// its group's exit returns, no permit lost, no unhandled rejection (the shared guard), and the error
// that comes out is one the rules allow.
import fc from "fast-check";
import { expect, it } from "vitest";
import { asyncWith, Lock, moveOnAfter, SuppressedError, TaskGroup, timeout, TimeoutError } from "../src/index.js";

type Tree =
  | { kind: "leaf"; ms: number; outcome: "ok" | "throw" | "untilAborted" }
  | { kind: "timeout"; ms: number; moveOn: boolean; child: Tree }
  | { kind: "group"; children: Tree[]; cancel: boolean }
  | { kind: "lock"; child: Tree };

const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({
      kind: fc.constant("leaf" as const),
      ms: fc.nat(4),
      outcome: fc.constantFrom("ok" as const, "throw" as const, "untilAborted" as const),
    }),
    fc.record({ kind: fc.constant("timeout" as const), ms: fc.nat(4), moveOn: fc.boolean(), child: tie("tree") }),
    fc.record({
      kind: fc.constant("group" as const),
      children: fc.array(tie("tree"), { maxLength: 3 }),
      cancel: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("lock" as const), child: tie("tree") }),
  ),
})).tree;

/** The errors inside an AggregateError / SuppressedError, flattened. */
function leaves(error: unknown): unknown[] {
  if (error instanceof AggregateError) return error.errors.flatMap(leaves);
  if (error instanceof SuppressedError) return [...leaves(error.error), ...leaves(error.suppressed)];
  return [error];
}

it("random trees of timeouts, groups and locks keep every invariant under random aborts", async () => {
  await fc.assert(
    fc.asyncProperty(tree, fc.option(fc.nat(6)), async (root, outerAt) => {
      const lock = new Lock();
      const thrown = new Set<unknown>();
      let expiredTimeouts = 0;
      let running = 0;
      const outer = new AbortController();
      const outerReason = new Error("outer");
      const timer = outerAt === null ? undefined : setTimeout(() => outer.abort(outerReason), outerAt);
      const sleep = (ms: number, signal: AbortSignal, untilAborted: boolean) =>
        new Promise<void>((resolve, reject) => {
          if (signal.aborted) return reject(signal.reason);
          const t = untilAborted ? undefined : setTimeout(done, ms);
          function done() {
            signal.removeEventListener("abort", onAbort);
            resolve();
          }
          function onAbort() {
            clearTimeout(t);
            reject(signal.reason);
          }
          signal.addEventListener("abort", onAbort, { once: true });
          if (untilAborted) setTimeout(done, 20); // bounded: nothing waits forever
        });
      // `locked`: a lock above on this path. Lock is not re-entrant (as in asyncio): taking it again
      // inside its own block would wait forever, so such a node runs its child directly.
      const run = async (node: Tree, signal: AbortSignal, locked = false): Promise<unknown> => {
        switch (node.kind) {
          case "leaf": {
            running++;
            try {
              await sleep(node.ms, signal, node.outcome === "untilAborted");
              if (node.outcome === "throw") {
                const error = new Error("leaf");
                thrown.add(error);
                throw error;
              }
              return "ok";
            } finally {
              running--;
            }
          }
          case "timeout": {
            const manager = node.moveOn ? moveOnAfter(node.ms, { signal }) : timeout(node.ms, { signal });
            let scope: { expired: boolean } | undefined;
            try {
              return await asyncWith(manager, (s) => ((scope = s), run(node.child, s.signal, locked)));
            } finally {
              if (scope?.expired && !node.moveOn) expiredTimeouts++;
            }
          }
          case "group": {
            let spawned = 0;
            let settled = 0;
            try {
              return await asyncWith(new TaskGroup({ signal }), (group) => {
                for (const child of node.children) {
                  spawned++;
                  group
                    .spawn((s) => run(child, s, locked))
                    .finally(() => settled++)
                    .catch(() => {});
                }
                if (node.cancel) queueMicrotask(() => group.cancel());
              });
            } finally {
              await Promise.resolve(); // let the tasks' own finally callbacks (above) run
              expect(settled).toBe(spawned); // every task settled before the exit returned
            }
          }
          case "lock":
            return locked ? run(node.child, signal, true) : asyncWith(lock, () => run(node.child, signal, true));
        }
      };
      let error: unknown;
      await run(root, outer.signal).catch((e) => (error = e));
      clearTimeout(timer);
      expect(running).toBe(0);
      expect([lock.value, lock.locked]).toEqual([1, false]); // no permit lost
      for (const leaf of error === undefined ? [] : leaves(error)) {
        // Only what the rules name can come out: a leaf's own error, the outer reason, or the
        // TimeoutError of a timeout whose deadline fired.
        const allowed =
          thrown.has(leaf) || leaf === outerReason || (leaf instanceof TimeoutError && expiredTimeouts > 0);
        expect(allowed, `unexpected error out: ${String(leaf)}`).toBe(true);
      }
    }),
    { numRuns: 150 },
  );
}, 60_000);
