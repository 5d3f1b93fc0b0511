// The Worker the edge tests run against (in workerd): the lock object, and a Durable Object with
// SQLite storage and RPC for the transaction and stub tests.
import { DurableObject, RpcTarget } from "cloudflare:workers";

import { DurableLock } from "../src/index.ts";

export { DurableLock };

/** The lock object with a small memory of withdrawals: the bound is tested in a few requests. */
export class ForgetfulLock extends DurableLock {
  static override remembered = 4;
}

class Session extends RpcTarget {
  constructor(readonly onDispose: () => void) {
    super();
  }
  hello(): string {
    return "hello from the session";
  }
  [Symbol.dispose](): void {
    this.onDispose();
  }
}

export class Store extends DurableObject {
  disposed = 0;
  open(): Session {
    return new Session(() => this.disposed++);
  }
  disposedCount(): number {
    return this.disposed;
  }
  /** What arrived when: durableTransaction's tests watch the input gate with it. */
  events: string[] = [];
  note(event: string): void {
    this.events.push(event);
  }
}

export default {
  async fetch(): Promise<Response> {
    return new Response("ok");
  },
};
