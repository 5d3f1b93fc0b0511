import type { AcquireOptions } from "./semaphore.js";
import { resolved, Waiters, waitSignal } from "./waiters.js";

/**
 * Python's `asyncio.Event`: a flag that tasks can wait for.
 * @example
 * const ready = new Event();
 * setTimeout(() => ready.set(), 10);
 * await ready.wait(); // resolves once set
 */
export class Event {
  #set = false;
  #waiters = new Waiters();

  /** True while the flag is set. */
  get isSet(): boolean {
    return this.#set;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    this.#set = true;
    while (this.#waiters.wakeOne());
  }

  /** Clears the flag; later `wait()`s wait again. */
  clear(): void {
    this.#set = false;
  }

  /** Resolves when the flag is set (at once if it is); an abort rejects with `signal.reason`. */
  wait(options?: AcquireOptions): Promise<void> {
    const signal = options === undefined ? undefined : waitSignal(options, "wait()");
    if (signal instanceof Promise) return signal; // bad options, or aborted already
    return this.#set ? resolved : this.#waiters.wait(signal);
  }
}
