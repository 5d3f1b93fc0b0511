import { type AsyncContextManager, resource } from "@asyncwith/core";
import { eitherSignal, expected, untilAborted } from "@asyncwith/core/adapter";
import { _cancelAt, _evenIfCancelled } from "./_deadline.js";
import {
  _connect,
  _isPool,
  _isQueryable,
  _isSessionGone,
  _Watch,
  type _Pooled,
  type ClientOf,
  type PoolLike,
  type Queryable,
} from "./_shared.js";
import { _acquire } from "./_lock-wait.js";
import { _fenceTable, _takeToken } from "./fence.js";

/** Options of `advisoryLock`: shared or exclusive, waiting or not, a signal that gives up waiting, and the polling interval where a wait cannot be cancelled. */
export interface AdvisoryLockOptions {
  /** A shared lock (many holders) instead of an exclusive one. Default: false. */
  shared?: boolean;
  /** Wait for the lock (default), or fail at once with `code: "ELOCKED"`. */
  wait?: boolean;
  /**
   * Gives up waiting: the enter rejects with `signal.reason`. With node-postgres the wait stays in
   * the server's queue (first come, first served) and an abort cancels it on the server
   * (`pg_cancel_backend` from a second session); with PGlite it polls `pg_try_advisory_lock`.
   */
  signal?: AbortSignal;
  /** How often a polling wait (PGlite with a signal) tries again, and an abort's cancel is repeated. Default: 50 ms. */
  retryInterval?: number;
  /**
   * Takes a fencing token once the lock is held (the block's `token`, raised by each holder in the
   * table `asyncwith_fence`, created on first use), for `checkFence(tx, lock)`. Default: false.
   */
  fence?: boolean;
}

/**
 * A transaction-scoped advisory lock (`pg_advisory_xact_lock`), taken inside the block of a
 * `transaction()`: PostgreSQL releases it when the transaction ends — committed or rolled back —
 * so it cannot outlive the transaction, nor be released early. Given a savepoint's `tx`, it still
 * lasts until the whole transaction ends.
 *
 * @example
 * await asyncWith(transaction(client), async (tx) => {
 *   await advisoryXactLock(tx, `account:${id}`);
 *   await tx.query("update accounts set balance = balance - $1 where id = $2", [amount, id]);
 * });
 */
export async function advisoryXactLock(
  tx: Queryable & { readonly depth: number },
  key: bigint | number | string,
  options: { shared?: boolean } = {},
): Promise<bigint> {
  if (!_isQueryable(tx) || typeof (tx as { depth?: unknown }).depth !== "number")
    throw expected("advisoryXactLock() to be given a transaction's tx (inside transaction())", tx);
  const id = _key(key);
  await tx.query(`SELECT pg_advisory_xact_lock${options.shared ? "_shared" : ""}($1::bigint)`, [id.toString()]);
  return id;
}

/** What the block gets: the 64-bit key locked, the connection holding the lock, and a signal that says when it is lost. */
export interface HeldAdvisoryLock<C = Queryable> {
  readonly key: bigint;
  readonly client: C;
  /**
   * Aborts as soon as the holding session is gone (its connection's `'end'` or, for a pooled one,
   * `'error'`): the server released the lock, and another session may hold it now. The reason is an
   * Error with `code: "ELOCKLOST"` that says why; the exit then throws it.
   */
  readonly signal: AbortSignal;
  /** With `fence: true`: this holder's fencing token, higher than every earlier holder's of the key (see `checkFence`). */
  readonly token: bigint | undefined;
}

const _OPTIONS = ["shared", "wait", "signal", "retryInterval", "fence"];
const _held = new WeakMap<object, Set<bigint>>(); // the keys each connection holds for a block of this package

/**
 * A PostgreSQL advisory lock for the block — the lock for processes on several machines that share
 * a database. Session-level (`pg_advisory_lock`), exclusive or shared; released on exit on every
 * path. Given a pool, a connection is taken for the block and returned after. When the holding
 * session dies (its process killed, the network gone), the server releases the lock: no stale lock
 * is ever left. `key`: a bigint, an integer, or a string hashed stably (FNV-1a, 64 bits).
 *
 * @example
 * await asyncWith(advisoryLock(pool, "nightly-report"), () => buildReport()); // one machine at a time
 */
export function advisoryLock<P extends PoolLike>(
  pool: P,
  key: bigint | number | string,
  options?: AdvisoryLockOptions,
): AsyncContextManager<HeldAdvisoryLock<ClientOf<P>>, false>;
export function advisoryLock<C extends Queryable>(
  connection: C,
  key: bigint | number | string,
  options?: AdvisoryLockOptions,
): AsyncContextManager<HeldAdvisoryLock<C>, false>;
export function advisoryLock<C extends Queryable>(
  on: C | PoolLike<C>,
  key: bigint | number | string,
  options: AdvisoryLockOptions = {},
): AsyncContextManager<HeldAdvisoryLock<C>, false> {
  if (!_isQueryable(on) && !_isPool(on)) throw expected("advisoryLock() to be given a connection or a pool", on);
  const id = _key(key);
  if (options === null || typeof options !== "object")
    throw expected("advisoryLock() options to be an object", options);
  const { shared = false, wait = true, retryInterval = 50, fence = false } = options;
  if (typeof shared !== "boolean") throw expected("advisoryLock() options.shared to be true or false", shared);
  if (typeof wait !== "boolean") throw expected("advisoryLock() options.wait to be true or false", wait);
  if (typeof fence !== "boolean") throw expected("advisoryLock() options.fence to be true or false", fence);
  if (fence && shared)
    throw expected(
      "advisoryLock() options.fence on an exclusive lock",
      options,
      "fence with shared: true (shared holders would each raise the token and fence one another out)",
    );
  // No array per call (most calls pass no options at all: this runs per block). Own keys only, as
  // transaction() checks them: options made from defaults by Object.create are fine.
  for (const name in options)
    if (Object.hasOwn(options, name) && !_OPTIONS.includes(name))
      throw expected(
        "advisoryLock() options among shared, wait, signal, retryInterval and fence",
        options,
        `options ${Object.keys(options)
          .filter((k) => !_OPTIONS.includes(k))
          .join(", ")}`,
      );
  if (!(typeof retryInterval === "number" && retryInterval > 0 && retryInterval < 2 ** 31))
    throw expected("advisoryLock() options.retryInterval to be a positive number of milliseconds", retryInterval);
  const suffix = shared ? "_shared" : "";
  let pooled: _Pooled<C> | undefined;
  let watch: _Watch;
  const lost = (why: string, cause?: unknown) =>
    Object.assign(
      new Error(
        `Expected to hold advisory lock ${id} for the whole block, got ${why}: another session may have held it meanwhile, so the block did not run exclusively.`,
        { cause },
      ),
      { code: "ELOCKLOST" },
    );
  return resource(
    async (enter) => {
      const signal = eitherSignal(options.signal, enter.signal); // its own, or asyncWith(…, { signal })'s
      signal?.throwIfAborted();
      const gone = (cause: unknown) => lost("its session gone (the server released the lock)", cause);
      if (_isPool(on)) ({ client: pooled, watch } = await _connect(on, signal, gone));
      else watch = new _Watch(on, false, gone);
      const client = pooled ?? (on as C);
      const keys = _held.get(client) ?? _held.set(client, new Set()).get(client)!;
      let mine = false; // this block marked the key as held on this connection
      try {
        if (keys.has(id))
          throw Object.assign(
            new Error(
              `Expected advisory lock ${id} to be free on this connection, got it held by another block on it: session locks are re-entrant, so both would run at once. Give each block its own connection (advisoryLock(pool, …)), or serialise them with core's Lock.`,
            ),
            { code: "ELOCKED" },
          );
        keys.add(id);
        mine = true;
        await _acquire(client, id, suffix, wait, signal, retryInterval);
      } catch (error) {
        if (mine) keys.delete(id);
        watch.stop();
        pooled?.release(true);
        throw error;
      }
      let token: bigint | undefined;
      let table: string | undefined;
      if (fence) {
        // The raise may wait for the previous holder's fenced write to end: the enter's signal ends that wait.
        const cancel = _cancelAt(signal, client);
        try {
          ({ token, table } = await _takeToken(client, id));
          await cancel.sent; // an abort that came as the token was taken: its cancel must not hit the block
          signal?.throwIfAborted();
        } catch (error) {
          // Held, but without its token: give the lock back (a pooled session is closed, which does).
          keys.delete(id);
          watch.stop();
          if (pooled) pooled.release(true);
          else
            await _evenIfCancelled(() => client.query("SELECT pg_advisory_unlock($1::bigint)", [id.toString()])).catch(
              () => {},
            );
          throw signal?.aborted ? signal.reason : error;
        } finally {
          cancel.stop();
        }
      }
      return new _HeldLock(id, client, watch, token, table);
    },
    async ({ client }, failure, { signal: deadline } = {}) => {
      let error: unknown;
      // At an exit deadline (exitWithin): a pooled connection's session is ended, which releases the
      // lock, and the exit stops waiting; on the caller's connection, the statement it is running
      // (one the block left behind) is cancelled so that the unlock queued behind it runs.
      const exitCancel = _cancelAt(deadline, client, !!pooled);
      try {
        if (!watch.gone) {
          const unlock = () =>
            client.query(`SELECT pg_advisory_unlock${suffix}($1::bigint) AS unlocked`, [id.toString()]);
          // A cancel sent at the deadline may land on the unlock itself: then once more.
          const unlocking = deadline ? _evenIfCancelled(unlock) : unlock();
          const { rows } = await (pooled ? untilAborted(unlocking, deadline) : unlocking);
          if ((rows[0] as { unlocked: boolean }).unlocked !== true)
            watch.lose(
              lost(
                "the server saying this session did not hold it at the end of the block (released inside it, by pg_advisory_unlock_all() or DISCARD ALL, or the session changed under a transaction-pooling proxy)",
              ),
            );
        }
      } catch (unlockError) {
        if (pooled && deadline?.aborted)
          watch.lose(
            Object.assign(
              new Error(
                `Expected advisory lock ${id} to be released before the exit deadline, got no answer from the server: its session was ended, which releases the lock.`,
                { cause: deadline.reason },
              ),
              { code: "ETIMEDOUT" },
            ),
          );
        else if (_isSessionGone(unlockError))
          watch.lose(lost("its session gone (the server released the lock)", unlockError));
        else error = unlockError; // the session lives on, and may still hold the lock
      } finally {
        exitCancel.stop();
        _held.get(client)?.delete(id);
        // On any doubt the session ends, and the server releases the lock with it.
        const reuse = !!pooled && !(error ?? watch.gone);
        watch.stop(reuse);
        if (pooled) reuse ? pooled.release() : pooled.release(true);
      }
      // The block's own error wins over a lost lock: it failed anyway, and is rethrown as it is.
      if (error || (watch.gone && !failure)) throw error ?? watch.gone;
    },
    "advisoryLock",
  );
}

/** The block's value. A class: an object literal with a getter costs more per block than the rest of its JS. */
class _HeldLock<C extends Queryable> implements HeldAdvisoryLock<C> {
  readonly #watch: _Watch;
  /** The fence table the token came from, qualified (checkFence reads it). */
  readonly [_fenceTable]: string | undefined;
  constructor(
    readonly key: bigint,
    readonly client: C,
    watch: _Watch,
    readonly token: bigint | undefined,
    table: string | undefined,
  ) {
    this.#watch = watch;
    this[_fenceTable] = table;
  }
  get signal(): AbortSignal {
    return this.#watch.signal; // made when first read
  }
}

/** A stable 64-bit key: bigints and integers as they are, strings by FNV-1a (signed, as bigint columns are). */
export function _key(key: bigint | number | string): bigint {
  if (typeof key === "bigint") {
    if (key >= -(2n ** 63n) && key < 2n ** 63n) return key;
  } else if (typeof key === "number") {
    if (Number.isSafeInteger(key)) return BigInt(key);
  } else if (typeof key === "string" && key !== "") {
    let hash = 0xcbf29ce484222325n;
    for (const byte of new TextEncoder().encode(key)) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
    return BigInt.asIntN(64, hash);
  }
  throw expected("advisoryLock() key to be a 64-bit bigint, a safe integer or a non-empty string", key);
}
