import { AsyncExitStack } from "./exit-stack.js";
import { hooks } from "./hooks.js";
import type { ContextValue, Enterable, EnterOptions } from "./protocol.js";

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
 * `options.signal` goes to the manager's enter (see `asyncWith`).
 *
 * @example
 * {
 *   await using tx = await enter(transaction(db));
 *   await tx.value.insert(order);
 *   tx.ok(); // commit; if anything above threw, the transaction rolls back
 * }
 */
export async function enter<M extends Enterable>(
  manager: M,
  options?: EnterOptions,
): Promise<Entered<ContextValue<M>>> {
  // One entered manager on its own exit stack: the stack already knows how to exit blind (the
  // failure path, its own sentinel never thrown at you) or on success, and disposables as such.
  const stack = new AsyncExitStack();
  const value = await stack.enterContext(manager, options);
  let marked = false;
  const handle: Entered<ContextValue<M>> = {
    value,
    ok() {
      if (stack.disposed)
        throw new ReferenceError(
          "ok() was called after the scope was disposed; call it as the last statement inside the await using block.",
        );
      marked = true;
    },
    [Symbol.asyncDispose]: () => (hooks.untrack?.(handle), marked ? stack.aclose() : stack.disposeAsync()),
  };
  // With detectLeaks() on, the handle is what must be disposed: it stands for the manager it holds.
  hooks.untrack?.(manager as object);
  hooks.track?.(handle, manager);
  return handle;
}
