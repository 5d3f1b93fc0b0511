import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";

/** What `durableLock` sends its requests to: a `DurableLock` object's stub. */
export interface LockStub {
  /** A request to the lock object (`/acquire`, `/release`). */
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

/** What `durableLock` needs: a `DurableObjectNamespace` bound to the `DurableLock` class. */
export interface LockNamespace {
  /** The id of the lock object for `name`: one object per lock name. */
  idFromName(name: string): unknown;
  /** A stub of the lock object, to which the manager sends its acquire and release requests. */
  get(id: never): LockStub;
}

/** Options of `durableLock`: how long a lease lasts before another holder may take it. */
export interface DurableLockOptions {
  /** How long the lock stays held if its holder vanishes (ms). Default: 30,000. */
  ttl?: number;
}

/** What the block gets. */
export interface HeldDurableLock {
  readonly name: string;
  /** When the lock expires unless released first (ms since the epoch). */
  readonly expiresAt: number;
}

/**
 * A lock held in a Durable Object, so that every isolate in every location serialises on it: the
 * distributed counterpart of `webLock` and `fileLock`. Waits its turn (first come, first served),
 * is released on exit, and expires after `ttl` if the holder vanishes — then its exit throws, as
 * the block did not run exclusively to the end. Bind the exported `DurableLock` class.
 *
 * @example
 * // wrangler.jsonc: "durable_objects": { "bindings": [{ "name": "LOCKS", "class_name": "DurableLock" }] }
 * export { DurableLock } from "@asyncwith/edge";
 * await asyncWith(durableLock(env.LOCKS, `account:${id}`, { ttl: 10_000 }), () => transfer(id));
 */
export function durableLock(
  namespace: LockNamespace,
  name: string,
  options: DurableLockOptions = {},
): AsyncContextManager<HeldDurableLock, false> {
  if (typeof (namespace as Partial<LockNamespace> | null)?.idFromName !== "function")
    throw expected("durableLock() to be given a namespace bound to DurableLock", namespace);
  if (typeof name !== "string" || !name) throw expected("durableLock() to be given a lock name", name);
  const { ttl = 30_000 } = options;
  if (!(ttl > 0 && ttl < Infinity))
    throw expected("durableLock() options.ttl to be a positive number of milliseconds", ttl);
  const stub = () => namespace.get(namespace.idFromName(name) as never);
  let token = ""; // the holder's proof, kept from the block
  return resource(
    async (): Promise<HeldDurableLock> => {
      const held = (await (
        await stub().fetch(`https://durable-lock/acquire?ttl=${ttl}`, { method: "POST" })
      ).json()) as _Holder;
      token = held.token;
      return { name, expiresAt: held.expiresAt };
    },
    async (_held, failure) => {
      const response = await stub().fetch(`https://durable-lock/release?token=${token}`, { method: "POST" });
      if (response.status === 409 && !failure) {
        throw new Error(
          `The durable lock ${JSON.stringify(name)} expired while held (ttl ${ttl} ms): the block did not run exclusively. Raise options.ttl.`,
        );
      }
    },
    "durableLock",
  );
}

interface _State {
  storage: {
    get<T>(key: string): Promise<T | undefined>;
    put(key: string, value: unknown): Promise<void>;
    delete(key: string): Promise<boolean>;
    setAlarm(time: number): Promise<void>;
  };
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
}

type _Holder = { token: string; expiresAt: number };

/**
 * The Durable Object behind `durableLock`: one instance per lock name. The holder is stored (it
 * survives a restart); waiters queue in memory; an alarm expires a holder that vanished.
 * @example
 * // worker.ts — then bind it: "durable_objects": { "bindings": [{ "name": "LOCKS", "class_name": "DurableLock" }] }
 * export { DurableLock } from "@asyncwith/edge";
 */
export class DurableLock {
  #state: _State;
  #holder: _Holder | undefined;
  #waiters: Array<() => void> = [];

  constructor(state: _State, _env?: unknown) {
    this.#state = state;
    void state.blockConcurrencyWhile(async () => void (this.#holder = await state.storage.get<_Holder>("holder")));
  }

  /** Serves the manager's requests: `/acquire` grants a lease with a token, `/release` ends it. */
  async fetch(request: Request): Promise<Response> {
    const { pathname, searchParams } = new URL(request.url);
    if (pathname === "/acquire") return Response.json(await this.#acquire(Number(searchParams.get("ttl"))));
    return new Response(null, { status: (await this.#release(searchParams.get("token"))) ? 204 : 409 }); // /release
  }

  /** Expires a lease its holder did not release in time (a crashed holder), so a waiter may enter. */
  async alarm(): Promise<void> {
    const holder = this.#holder;
    if (holder && holder.expiresAt <= Date.now()) await this.#release(holder.token);
  }

  async #acquire(ttl: number): Promise<_Holder> {
    while (this.#holder && this.#holder.expiresAt > Date.now())
      await new Promise<void>((wake) => this.#waiters.push(wake));
    const holder = { token: crypto.randomUUID(), expiresAt: Date.now() + ttl };
    this.#holder = holder;
    await this.#state.storage.put("holder", holder);
    await this.#state.storage.setAlarm(holder.expiresAt);
    return holder;
  }

  async #release(token: string | null): Promise<boolean> {
    if (!this.#holder || this.#holder.token !== token) return false;
    this.#holder = undefined;
    await this.#state.storage.delete("holder");
    this.#waiters.shift()?.();
    return true;
  }
}
