// The moment a pool hands a client over (#22, "never crash"): pg-pool removes its own 'error'
// listener and hands the client to the caller synchronously, then goes on parsing what it read. A
// FATAL message in that same read (a server restarting) is emitted before any code awaiting
// pool.connect() resumes. This pool does exactly that, in both of pg-pool's forms.
import { EventEmitter } from "node:events";
import { asyncWith } from "@asyncwith/core";
import { expect, it } from "vitest";
import { advisoryLock, connection } from "../src/index.ts";

const fatal = () => Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });

class HandedOver extends EventEmitter {
  released: unknown[] = [];
  query = async () => ({ rows: [{ unlocked: true }], command: "SELECT" });
  release = (destroy?: unknown) => void this.released.push(destroy ?? false);
}

function restartingPool() {
  const clients: HandedOver[] = [];
  return {
    clients,
    totalCount: 1,
    connect(callback?: (error: unknown, client: HandedOver, release: () => void) => void) {
      const client = new HandedOver();
      clients.push(client);
      queueMicrotask(() => client.emit("error", fatal())); // parsed right after the hand-over
      if (callback) return void callback(undefined, client, client.release);
      return Promise.resolve(client);
    },
  };
}

it("advisoryLock(pool): a FATAL that comes with the hand-over crashes nothing, and the block learns its lock is lost", async () => {
  const pool = restartingPool();
  let aborted: boolean | undefined;
  const block = asyncWith(advisoryLock(pool as never, 5n), (lock) => void (aborted = lock.signal.aborted));
  await expect(block).rejects.toMatchObject({
    code: "ELOCKLOST",
    message: expect.stringMatching(/got its session gone/),
    cause: { code: "57P01" }, // the FATAL itself
  });
  expect(aborted).toBe(true);
  expect(pool.clients[0]!.released).toEqual([true]); // destroyed, never handed on
});

it("connection(pool): the same FATAL crashes nothing, and the session is destroyed, not handed on", async () => {
  const pool = restartingPool();
  await asyncWith(connection(pool as never), () => {});
  expect(pool.clients[0]!.released).toEqual([true]);
  expect(pool.clients[0]!.listenerCount("error")).toBe(1); // one listener stays to record its socket's last errors
});
