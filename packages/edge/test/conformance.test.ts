// The shared resource-manager conformance suite (test-setup/conformance.ts), run against every
// manager of @asyncwith/edge inside workerd, with real Durable Objects, D1 and RPC.
import { env } from "cloudflare:workers";
import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { type Driver, driver, testResourceManagers } from "../../../test-setup/conformance.ts";
import { d1Batch, durableLock, durableTransaction, type HeldDurableLock, requestScope, rpcStub } from "../src/index.ts";

const drivers: Driver[] = [
  driver(
    "requestScope",
    () => ({ manager: requestScope(createExecutionContext()), isOpen: (scope) => !scope.disposed }),
    { singleUse: false },
  ),
  {
    name: "durableTransaction",
    // The storage belongs to the object: each block runs inside a fresh Durable Object.
    run: (use) =>
      runInDurableObject(env.STORE.get(env.STORE.newUniqueId()), (_object, state) =>
        use({
          manager: durableTransaction(state.storage),
          isOpen: (txn: DurableObjectTransaction) =>
            txn.get("k").then(
              () => true,
              () => false,
            ),
        }),
      ),
  },
  driver("rpcStub", async () => {
    const session = await env.STORE.get(env.STORE.newUniqueId()).open();
    return {
      manager: rpcStub(session),
      isOpen: (stub: typeof session) =>
        stub.hello().then(
          () => true,
          () => false,
        ),
    };
  }),
  driver("d1Batch", () => ({
    manager: d1Batch(env.DB),
    isOpen: (batch) => {
      try {
        batch.add(env.DB.prepare("SELECT 1"));
        return true;
      } catch {
        return false;
      }
    },
  })),
  driver("durableLock", () => ({
    manager: durableLock(env.LOCKS, `conformance-${crypto.randomUUID()}`),
    isOpen: (held: HeldDurableLock) =>
      runInDurableObject(
        env.LOCKS.get(env.LOCKS.idFromName(held.name)),
        async (_o, state) => (await state.storage.get("holder")) !== undefined,
      ),
  })),
];

testResourceManagers({ describe, it, expect, asyncWith }, drivers);
