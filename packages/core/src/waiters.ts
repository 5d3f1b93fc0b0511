// A FIFO queue of pending promises, each optionally abortable. Aborted waiters leave the queue at
// once (O(1), by tombstone), so they never receive what they no longer wait for.
import { signalOf } from "./errors.js";

export interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  done: boolean;
}

/**
 * A wait's `options.signal`, checked (see `signalOf`); bad options, or a signal already aborted,
 * come back as the rejection to return: a method that returns a promise never throws.
 */
export function waitSignal(options: unknown, where: string): AbortSignal | undefined | Promise<never> {
  try {
    const signal = signalOf(options, where);
    return signal?.aborted ? Promise.reject(signal.reason) : signal;
  } catch (error) {
    return Promise.reject(error);
  }
}

export class Waiters {
  #queue: Waiter[] = [];
  #head = 0;
  #live = 0;

  get size(): number {
    return this.#live;
  }

  /** Queues a waiter; it rejects with `signal.reason` if the signal aborts first. */
  wait(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        if (waiter.done) return;
        waiter.done = true;
        this.#live--;
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        done: false,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject,
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
      this.#live++;
    });
  }

  /** Wakes the oldest live waiter; false when there is none. */
  wakeOne(): boolean {
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as never;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) this.#compact();
      if (waiter.done) continue;
      waiter.done = true;
      this.#live--;
      waiter.resolve();
      return true;
    }
    return false;
  }

  #compact(): void {
    this.#queue = this.#queue.slice(this.#head);
    this.#head = 0;
  }
}

/** A promise that is already resolved, shared so the uncontended paths allocate nothing. */
export const resolved: Promise<void> = Promise.resolve();
