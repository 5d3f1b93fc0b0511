import { type ContextValue, DisposableManager, type Enterable, type Failure, toManager } from "./protocol.js";
import { aenter, aexit } from "./symbols.js";
import { blindFailure } from "./unwind.js";

/** A manager entered for `await using`: its value, and `ok()` to mark the block as successful. */
export interface Entered<T> extends AsyncDisposable {
  /** What the manager's enter gave. */
  readonly value: T;
  /**
   * Marks the block as successful, so disposal takes the exit's success path. Without it the
   * exit is told the block failed: `await using` cannot see errors, so failure is the safe default.
   */
  ok(): void;
}

/**
 * Enters a manager for use with `await using`. A disposer never learns whether the block threw,
 * so the exit takes the failure path (rollback) unless `ok()` was called: call it as the block's
 * last statement. Plain disposables need no `enter()`: `await using` takes them directly.
 *
 * @example
 * {
 *   await using tx = await enter(transaction(db));
 *   await tx.value.insert(order);
 *   tx.ok(); // commit; if anything above threw, the transaction rolls back
 * }
 */
export async function enter<M extends Enterable>(manager: M): Promise<Entered<ContextValue<M>>> {
  const m = toManager(manager);
  const value = (await m[aenter]()) as ContextValue<M>;
  let state: "open" | "ok" | "closed" = "open";
  return {
    value,
    ok() {
      if (state === "closed") throw new ReferenceError("ok() was called after the scope was disposed; call it as the last statement inside the await using block.");
      state = "ok";
    },
    async [Symbol.asyncDispose]() {
      if (state === "closed") return;
      const success = state === "ok" || m instanceof DisposableManager;
      state = "closed";
      if (success) return void (await m[aexit]());
      const failure: Failure = blindFailure();
      try {
        await m[aexit](failure);
      } catch (error) {
        if (error !== failure.error) throw error;
      }
    },
  };
}
