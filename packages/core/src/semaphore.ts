import { expected } from "./errors.js";
import type { AsyncContextManager } from "./protocol.js";
import { aenter, aexit } from "./symbols.js";
import { resolved, Waiters, waitSignal } from "./waiters.js";

/** Options of `acquire()` on `Lock`, `Semaphore` and `Condition`: a signal that gives up waiting. */
export interface AcquireOptions {
  /** Gives up waiting: the acquire rejects with `signal.reason` and takes no permit. */
  signal?: AbortSignal;
}

/**
 * Python's `asyncio.Semaphore`: `value` permits; `acquire()` waits (first come, first served)
 * while none is left. A manager: `asyncWith(semaphore, …)` holds one permit for the block.
 * Unbounded: `release()` may raise `value` above its start; see `BoundedSemaphore`.
 *
 * @example
 * const three = new Semaphore(3);
 * await Promise.all(urls.map((url) => asyncWith(three, () => fetch(url)))); // at most 3 at once
 */
export class Semaphore implements AsyncContextManager<void, false> {
  #value: number;
  #waiters = new Waiters();

  constructor(value = 1) {
    if (!Number.isInteger(value) || value < 0) throw expected("a whole number of permits (0 or more)", value);
    this.#value = value;
  }

  /** Permits left. */
  get value(): number {
    return this.#value;
  }

  /** True when an `acquire()` would wait. */
  get locked(): boolean {
    return this.#value === 0 || this.#waiters.size > 0;
  }

  /**
   * Takes a permit, waiting in line when none is left.
   * @example await sem.acquire({ signal: AbortSignal.timeout(1_000) });
   */
  acquire(options?: AcquireOptions): Promise<void> {
    // Checked only when given: the uncontended acquire is one comparison and a decrement.
    const signal = options === undefined ? undefined : waitSignal(options, "acquire()");
    if (signal instanceof Promise) return signal; // bad options, or aborted already
    if (this.#value > 0 && this.#waiters.size === 0) {
      this.#value--;
      return resolved;
    }
    return this.#waiters.wait(signal);
  }

  /**
   * Returns a permit: it goes straight to the longest waiter, if any.
   * @example sem.release();
   */
  release(): void {
    if (!this.#waiters.wakeOne()) this.#value++;
  }

  /** `acquire(options)`: the block holds one permit; `options.signal` gives up waiting for it. */
  [aenter](options?: AcquireOptions): Promise<void> {
    return this.acquire(options);
  }

  [aexit](): false {
    this.release();
    return false;
  }
}

/**
 * A `Semaphore` that refuses to be released above its starting value (a release without an
 * acquire is a bug, and this one says so).
 * @example const pool = new BoundedSemaphore(10);
 */
export class BoundedSemaphore extends Semaphore {
  readonly #bound: number;

  constructor(value = 1) {
    super(value);
    this.#bound = value;
  }

  override release(): void {
    if (this.value >= this.#bound)
      throw new RangeError(
        `Expected a release() matching an acquire(), got one too many: the ${this.constructor.name} is already at its bound of ${this.#bound}`,
      );
    super.release();
  }
}

/**
 * Python's `asyncio.Lock`: one holder at a time, waiters served first come, first served.
 * @example
 * const lock = new Lock();
 * await asyncWith(lock, () => writeConfig(next)); // released even if writeConfig throws
 */
export class Lock extends BoundedSemaphore {
  constructor() {
    super(1);
  }
}
