import { type AsyncContextManager, resource } from "@asyncwith/core";
import { checkOptions, expected, untilAborted } from "@asyncwith/core/adapter";

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
 * the block did not run exclusively to the end. The enter's signal (`asyncWith(…, { signal })`, a
 * `timeout` scope's) ends a wait: the request is withdrawn from the queue, or the lease granted
 * meanwhile released. Bind the exported `DurableLock` class.
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
  checkOptions("durableLock()", options);
  const { ttl = 30_000 } = options;
  if (!(ttl > 0 && ttl < Infinity))
    throw expected("durableLock() options.ttl to be a positive number of milliseconds", ttl);
  const stub = () => namespace.get(namespace.idFromName(name) as never);
  const post = (path: string) => stub().fetch(`https://durable-lock/${path}`, { method: "POST" });
  let token = ""; // the holder's proof, kept from the block
  return resource(
    async ({ signal }): Promise<HeldDurableLock> => {
      const mine = crypto.randomUUID();
      const acquiring = post(`acquire?ttl=${ttl}&token=${mine}`).then((r) => r.json() as Promise<_Holder | null>);
      let held: _Holder | null;
      try {
        held = await untilAborted(acquiring, signal);
      } catch (error) {
        if (!signal?.aborted) throw error;
        // Given up while waiting: withdraw the request — or release the lease granted meanwhile.
        await post(`cancel?token=${mine}`);
        throw error;
      }
      token = held!.token;
      return { name, expiresAt: held!.expiresAt };
    },
    async (_held, failure, { signal: deadline } = {}) => {
      // At an exit deadline (exitWithin) the release stops waiting for the object's answer.
      const response = await untilAborted(post(`release?token=${token}`), deadline).catch((error) => {
        if (!deadline?.aborted) throw error;
        throw Object.assign(
          new Error(
            `Expected the durable lock ${JSON.stringify(name)} to be released before the exit deadline, got no answer from its object: it stays held until the release arrives or its lease ends (ttl ${ttl} ms).`,
            { cause: deadline.reason },
          ),
          { code: "ETIMEDOUT" },
        );
      });
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
  /**
   * The brand `@cloudflare/workers-types` asks of a Durable Object class (`Rpc.DurableObjectBranded`),
   * so that `wrangler types`' `DurableObjectNamespace<DurableLock>` type-checks. A type only: no
   * runtime field, and no dependency on `cloudflare:workers` to extend its `DurableObject`.
   */
  declare readonly __DURABLE_OBJECT_BRAND: never;
  /**
   * How many withdrawals of requests not yet arrived one lock object remembers, the oldest
   * forgotten first (see below). Subclass to change it.
   * @example
   * export class BigLock extends DurableLock { static override remembered = 10_000; }
   */
  static remembered = 1024;
  #state: _State;
  #holder: _Holder | undefined;
  #waiters: Array<{ token: string; wake: () => void }> = [];
  /**
   * Requests withdrawn before they arrived: refused when they do. Bounded, oldest forgotten first:
   * a withdrawal whose request never comes (its lease already ended, say) would otherwise stay for
   * the object's life. One forgotten and then arriving is granted a lease nobody releases, which
   * its `ttl` ends: a delay for the next holder, never two holders.
   */
  #withdrawn = new Set<string>();

  constructor(state: _State, _env?: unknown) {
    const { remembered } = new.target as typeof DurableLock; // NaN or < 0: everything, or nothing, silently
    if (!(remembered >= 0)) throw expected("DurableLock.remembered to be a number, 0 or more", remembered);
    this.#state = state;
    void state.blockConcurrencyWhile(async () => void (this.#holder = await state.storage.get<_Holder>("holder")));
  }

  /**
   * Serves the manager's requests: `/acquire` grants a lease (its token the caller's, or a new one)
   * or `null` once withdrawn, `/release` ends a lease, `/cancel` withdraws a waiting request or
   * ends the lease it was granted.
   */
  async fetch(request: Request): Promise<Response> {
    const { pathname, searchParams } = new URL(request.url);
    const token = searchParams.get("token");
    if (pathname === "/acquire")
      return Response.json(await this.#acquire(Number(searchParams.get("ttl")), token ?? crypto.randomUUID()));
    if (pathname === "/cancel") return new Response(null, { status: (await this.#cancel(token ?? "")) ? 204 : 202 });
    return new Response(null, { status: (await this.#release(token)) ? 204 : 409 }); // /release
  }

  /** Expires a lease its holder did not release in time (a crashed holder), so a waiter may enter. */
  async alarm(): Promise<void> {
    const holder = this.#holder;
    if (holder && holder.expiresAt <= Date.now()) await this.#release(holder.token);
  }

  async #acquire(ttl: number, token: string): Promise<_Holder | null> {
    while (this.#holder && this.#holder.expiresAt > Date.now() && !this.#withdrawn.has(token))
      await new Promise<void>((wake) => this.#waiters.push({ token, wake }));
    if (this.#withdrawn.delete(token)) return null;
    const holder = { token, expiresAt: Date.now() + ttl };
    this.#holder = holder;
    await this.#state.storage.put("holder", holder);
    await this.#state.storage.setAlarm(holder.expiresAt);
    return holder;
  }

  /** Withdraws a request: ends its lease if it holds one, else wakes it to give up (or refuses it when it arrives). */
  async #cancel(token: string): Promise<boolean> {
    if (this.#holder?.token === token) return this.#release(token);
    const at = this.#waiters.findIndex((w) => w.token === token);
    this.#withdrawn.add(token);
    if (this.#withdrawn.size > (this.constructor as typeof DurableLock).remembered)
      this.#withdrawn.delete(this.#withdrawn.values().next().value!);
    if (at >= 0) this.#waiters.splice(at, 1)[0]!.wake();
    return at >= 0;
  }

  async #release(token: string | null): Promise<boolean> {
    if (!this.#holder || this.#holder.token !== token) return false;
    this.#holder = undefined;
    await this.#state.storage.delete("holder");
    this.#waiters.shift()?.wake();
    return true;
  }
}
