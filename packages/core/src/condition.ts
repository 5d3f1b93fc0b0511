import { expected, signalOf } from "./errors.js";
import type { AsyncContextManager } from "./protocol.js";
import { type AcquireOptions, Lock } from "./semaphore.js";
import { aenter, aexit } from "./symbols.js";
import { Waiters } from "./waiters.js";

/**
 * Python's `asyncio.Condition`: a lock plus a queue of tasks waiting to be notified. A manager
 * over its lock; `wait`, `waitFor` and `notify` need the lock held.
 *
 * @example
 * const changed = new Condition();
 * await asyncWith(changed, () => changed.waitFor(() => queue.length > 0));
 * // elsewhere: await asyncWith(changed, () => { queue.push(job); changed.notify(); });
 */
export class Condition implements AsyncContextManager<void, false> {
  readonly lock: Lock;
  #waiters = new Waiters();

  constructor(lock: Lock = new Lock()) {
    // Checked now: a wrong one would only fail at the first wait, inside someone's block.
    if (typeof (lock as Partial<Lock> | null)?.acquire !== "function" || typeof lock.release !== "function")
      throw expected("a Lock for new Condition(lock)", lock);
    this.lock = lock;
  }

  /**
   * Releases the lock, waits for a notify, then takes the lock again (also when aborted, before
   * rejecting with `signal.reason`). Resolves to true.
   */
  async wait(options?: AcquireOptions): Promise<true> {
    const signal = signalOf(options, "wait()");
    this.#held("wait");
    const woken = this.#waiters.wait(signal);
    this.lock.release();
    try {
      await woken;
    } finally {
      await this.lock.acquire();
    }
    return true;
  }

  /** Waits until `predicate()` is truthy and returns that value. */
  async waitFor<T>(predicate: () => T, options?: AcquireOptions): Promise<T> {
    signalOf(options, "waitFor()"); // checked even when the predicate holds at once
    let result = predicate();
    while (!result) {
      await this.wait(options);
      result = predicate();
    }
    return result;
  }

  /** Wakes up to `n` waiters, oldest first. */
  notify(n = 1): void {
    this.#held("notify");
    for (let i = 0; i < n && this.#waiters.wakeOne(); i++);
  }

  /** Wakes every waiter. */
  notifyAll(): void {
    this.#held("notifyAll");
    while (this.#waiters.wakeOne());
  }

  [aenter](options?: AcquireOptions): Promise<void> {
    return this.lock.acquire(options);
  }

  [aexit](): false {
    this.lock.release();
    return false;
  }

  #held(method: string): void {
    if (this.lock.value !== 0)
      throw new TypeError(
        `Expected the Condition's lock to be held for ${method}(), got it unlocked: call it inside asyncWith(condition, …)`,
      );
  }
}
