import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected, suppressed, untilAborted } from "@asyncwith/core/adapter";
import { _cancelAt, type _Canceller, _deadline, type _Deadline, _evenIfCancelled } from "./_deadline.js";
import { _isPool, _isQueryable, _isSessionGone, type Queryable, type QueryResultLike } from "./_shared.js";

/** Options of `transaction`: its isolation level, read-only and deferrable modes, and when to give up. */
export interface TransactionOptions {
  /** `BEGIN ISOLATION LEVEL …`. Default: the server's (read committed). */
  isolation?: "read committed" | "repeatable read" | "serializable";
  /** `READ ONLY` (true) or `READ WRITE` (false). Default: the server's. */
  readOnly?: boolean;
  /** `DEFERRABLE` (with serializable, read only). */
  deferrable?: boolean;
  /**
   * Milliseconds the whole block may take. Past them, the running statement is cancelled on the
   * server, later ones are refused, the transaction rolls back, and the block rejects with a
   * `TimeoutError`. The server bounds every statement by it too (`SET LOCAL statement_timeout`).
   */
  timeout?: number;
  /** Cancels the transaction as `timeout` does, with `signal.reason` as the block's error. */
  signal?: AbortSignal;
}

/** The block's handle: run statements through it; nest with `transaction(tx)` (a savepoint). */
export interface Transaction<C extends Queryable = Queryable> extends Queryable {
  /** The connection underneath. */
  readonly client: C;
  /** 0 for the transaction, 1 for a savepoint inside it, and so on. */
  readonly depth: number;
  /** Aborts when the transaction is cancelled (`timeout`, `signal`): pass it to work the block does beside its statements. */
  readonly signal: AbortSignal;
}

interface _State {
  client: Queryable;
  parent: _State | undefined; // the enclosing transaction of a savepoint
  depth: number;
  child: boolean; // a nested transaction is open: statements must go through it
  failed: { error: unknown } | undefined; // a statement failed and the block carried on
  closed: boolean;
  deadline: _Deadline | undefined; // the outer transaction's, shared by its savepoints
  cancel: _Canceller | undefined; // the deadline's cancel on the server, shared likewise
}

const _NEVER = new AbortController().signal; // the signal of a transaction without timeout or signal

const _busy = new WeakSet<object>(); // connections with an open transaction

/**
 * A PostgreSQL transaction for the block: `BEGIN` on enter; `COMMIT` on success, `ROLLBACK` on
 * failure. Given the block's `tx` instead of a connection, it nests as a `SAVEPOINT` (`RELEASE` on
 * success, `ROLLBACK TO` on failure), so an inner failure that the outer block catches leaves the
 * outer transaction usable. A failed `COMMIT` (a serialization failure, say) is the block's error,
 * with its SQLSTATE in `code`. Two transactions at once on one connection are refused at enter —
 * statements never interleave.
 *
 * @example
 * await asyncWith(transaction(client), async (tx) => {
 *   await tx.query("update accounts set balance = balance - 10 where id = $1", ["alice"]);
 *   await asyncWith(transaction(tx), (sp) => sp.query("insert into audit values ($1)", ["maybe"])).catch(() => {}); // a savepoint
 *   await tx.query("update accounts set balance = balance + 10 where id = $1", ["bob"]);
 * }); // committed; had anything above thrown, nothing would be kept
 */
export function transaction<C extends Queryable>(
  on: (C & { readonly totalCount?: never }) | Transaction<C>, // a pool (with totalCount) is refused: see below
  options: TransactionOptions = {},
): AsyncContextManager<Transaction<C>, false> {
  if (!_isQueryable(on) || _isPool(on))
    throw expected(
      "transaction() to be given one connection (a pg Client or PoolClient, a PGlite database) or a transaction's tx",
      on,
      _isPool(on)
        ? "a pool, which runs each statement on whichever session is free: take one for the block with asyncWith(connection(pool), (client) => asyncWith(transaction(client), …))"
        : undefined,
    );
  const outer = _Handle.stateOf(on);
  const begin = _begin(options, outer !== undefined);
  const startDeadline = _deadline(options.timeout, options.signal, "transaction()");
  let state: _State;
  let savepoint = "";
  return resource(
    async () => {
      if (outer) {
        if (_ended(outer) || outer.child)
          throw _misuse(_ended(outer) ? "one that has ended" : "one with a nested transaction open");
        outer.child = true;
        state = {
          client: outer.client,
          parent: outer,
          depth: outer.depth + 1,
          child: false,
          failed: undefined,
          closed: false,
          deadline: outer.deadline,
          cancel: outer.cancel,
        };
        savepoint = `asyncwith_${state.depth}`;
        await outer.client.query(`SAVEPOINT ${savepoint}`).catch((error) => {
          outer.child = false;
          throw error;
        });
        if (_ended(outer)) throw _outlived(); // the parent's block ended while the SAVEPOINT was on its way
      } else {
        if (_busy.has(on))
          throw _misuse(
            "a connection already in a transaction: nest with transaction(tx), the outer block's value, or use another connection",
          );
        _busy.add(on);
        state = {
          client: on,
          parent: undefined,
          depth: 0,
          child: false,
          failed: undefined,
          closed: false,
          deadline: undefined,
          cancel: undefined,
        };
        try {
          await on.query(begin);
          if (options.timeout) await on.query(`SET LOCAL statement_timeout = ${Math.ceil(options.timeout)}`);
        } catch (error) {
          _busy.delete(on);
          if (options.timeout) await on.query("ROLLBACK").catch(() => {});
          throw error;
        }
        if (startDeadline) {
          const deadline = (state.deadline = startDeadline());
          state.cancel = _cancelAt(deadline.signal, on);
        }
      }
      return new _Handle(state) as unknown as Transaction<C>;
    },
    async (_tx, failure, { signal: exitDeadline } = {}) => {
      state.closed = true;
      const cancelled = state.deadline?.signal.aborted ? state.deadline.signal : undefined;
      if (!outer) state.deadline?.stop();
      // At an exit deadline (exitWithin) the statement the connection is running — one the block
      // left behind — is cancelled, so that the ROLLBACK or COMMIT queued behind it runs at once.
      const exitCancel = _cancelAt(exitDeadline, state.client);
      try {
        // A cancel the deadline sent must land before our ROLLBACK or COMMIT is sent, not on it —
        // nor, later, on the caller's next statement on this connection.
        if (state.cancel) await untilAborted(state.cancel.sent, exitDeadline);
        // The parent already ended (and rolled back, or refused to commit): nothing of ours is left to undo or keep.
        if (outer && _ended(outer)) {
          if (failure) return;
          throw _outlived();
        }
        // A savepoint still open: its block outlived ours. Keep nothing rather than commit half of it.
        if (state.child && !failure) {
          await _undo(state.client, savepoint);
          throw _misuse(
            "one whose nested transaction(tx) block was still running when its own block ended: await the nested block inside it. Everything was rolled back",
          );
        }
        if (failure || cancelled) {
          try {
            await _undo(state.client, savepoint);
          } catch (rollbackError) {
            // A session that is gone took its transaction with it: the block's own error stands.
            if (failure && _isSessionGone(rollbackError)) return;
            throw failure ? suppressed(rollbackError, failure.error) : rollbackError;
          }
          if (failure) return;
          throw cancelled!.reason; // the block caught its cancelled statement and carried on: still cancelled
        }
        if (state.failed) {
          await _undo(state.client, savepoint);
          throw _rolledBack(state.failed.error);
        }
        const result: QueryResultLike = await state.client
          .query(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : "COMMIT")
          .catch((error) => Promise.reject(savepoint || !_isSessionGone(error) ? error : _unknownOutcome(error)));
        if (!savepoint && result.command === "ROLLBACK") throw _rolledBack(undefined);
      } finally {
        exitCancel.stop();
        if (outer) outer.child = false;
        else _busy.delete(on);
      }
    },
    "transaction",
  );
}

/** Rolls the transaction (or the savepoint) back; a savepoint is then released, as asyncpg does. */
async function _undo(client: Queryable, savepoint: string): Promise<void> {
  // A cancel sent at the deadline may land on the ROLLBACK itself (57014): then once more.
  if (!savepoint) return void (await _evenIfCancelled(() => client.query("ROLLBACK")));
  await client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
  await client.query(`RELEASE SAVEPOINT ${savepoint}`);
}

/**
 * The handle a block gets: statements go through the state, so misuse and failures are seen. A
 * class with a private field rather than a WeakMap entry per transaction: the brand check
 * (`#state in x`) is as strict, and a short-lived handle leaves no ephemeron for the GC to trace.
 */
class _Handle implements Transaction {
  readonly #state: _State;
  readonly depth: number;
  readonly query: Transaction["query"] = (text, params) => _run(this.#state, text, params);
  constructor(state: _State) {
    this.#state = state;
    this.depth = state.depth;
  }
  get client(): Queryable {
    return this.#state.client;
  }
  get signal(): AbortSignal {
    return this.#state.deadline?.signal ?? _NEVER;
  }
  static stateOf(x: object): _State | undefined {
    return #state in x ? (x as _Handle).#state : undefined;
  }
}

async function _run(state: _State, text: string, params?: unknown[]): Promise<QueryResultLike> {
  if (state.closed) throw _misuse("one that has ended: run statements inside its block");
  if (_ended(state)) throw _outlived();
  const signal = state.deadline?.signal;
  if (signal?.aborted) throw signal.reason; // cancelled: nothing more runs in it
  if (state.child) throw _misuse("one with a nested transaction open: run statements through the nested block's tx");
  try {
    return await state.client.query(text, params);
  } catch (error) {
    state.failed ??= { error };
    // The server's statement_timeout is the same bound: when it fires before our timer (a busy
    // event loop), it is the same timeout, and the block sees the same TimeoutError.
    if (_isStatementTimeout(error)) state.deadline?.expireIfDue();
    throw signal?.aborted ? signal.reason : error; // a statement cancelled at the deadline fails with the deadline's reason
  }
}

const _isStatementTimeout = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === "57014" && /statement timeout/.test(String((error as Error).message));

/** True once this transaction or one enclosing it has ended: its statements would run outside it. */
function _ended(state: _State): boolean {
  for (let s: _State | undefined = state; s; s = s.parent) if (s.closed) return true;
  return false;
}

const _outlived = () =>
  new TypeError(
    "Expected a savepoint to end before its transaction, got its transaction ended first (by its block's end or failure): nothing of the savepoint was kept. Await the nested asyncWith(transaction(tx), …) inside the outer block.",
  );

function _begin(options: TransactionOptions, savepoint: boolean): string {
  if (options === null || typeof options !== "object") throw expected("transaction() options to be an object", options);
  const { isolation, readOnly, deferrable } = options;
  const given = Object.keys(options).filter((k) => options[k as keyof TransactionOptions] !== undefined);
  const unknown = given.filter((k) => !["isolation", "readOnly", "deferrable", "timeout", "signal"].includes(k));
  if (unknown.length)
    throw expected(
      "transaction() options among isolation, readOnly, deferrable, timeout and signal",
      options,
      `options ${unknown.join(", ")}`,
    );
  if (savepoint && given.length)
    throw expected(
      "no options for a savepoint (transaction(tx)): isolation, read-only, deferrable, timeout and signal belong to the outer transaction",
      options,
      `options ${given.join(", ")}`,
    );
  for (const [name, value] of [
    ["readOnly", readOnly],
    ["deferrable", deferrable],
  ] as const)
    if (value !== undefined && typeof value !== "boolean")
      throw expected(`transaction() options.${name} to be true or false`, value);
  const levels = ["read committed", "repeatable read", "serializable"];
  if (isolation !== undefined && !levels.includes(isolation))
    throw expected(
      `transaction() options.isolation to be one of ${levels.map((l) => JSON.stringify(l)).join(", ")}`,
      isolation,
    );
  const parts = ["BEGIN"];
  if (isolation) parts.push(`ISOLATION LEVEL ${isolation.toUpperCase()}`);
  if (readOnly !== undefined) parts.push(readOnly ? "READ ONLY" : "READ WRITE");
  if (deferrable) parts.push("DEFERRABLE");
  return parts.join(" ");
}

/** SQLSTATE 08007, transaction_resolution_unknown: the COMMIT may have been applied. */
const _unknownOutcome = (cause: unknown) =>
  Object.assign(
    new Error(
      "Expected the COMMIT to be answered, got the connection lost first: the transaction may or may not have committed. Check whether its effects are there before running it again.",
      { cause },
    ),
    { code: "08007" },
  );

const _misuse = (got: string) => new TypeError(`Expected a transaction block to run on its own, got ${got}`);

function _rolledBack(cause: unknown): Error {
  const message =
    "Expected the transaction to commit, got a rollback: a statement in it failed and the block carried on. Catch failures inside a nested transaction(tx) (a savepoint) to keep going.";
  return Object.assign(new Error(message, { cause }), {
    code: (cause as { code?: string } | undefined)?.code ?? "25P02",
  });
}
