import { expected } from "./errors.js";
import type { AsyncContextManager, Failure } from "./protocol.js";
import { aenter, aexit } from "./symbols.js";

/**
 * Python's `asyncio.TaskGroup`: the block spawns tasks; the exit waits for every one of them.
 * The first failure (a task's or the block's) aborts the group's `signal`, so the rest can stop;
 * once all have settled the exit raises an `AggregateError` of every failure, the block's first.
 * Rejections with the group's own `signal.reason` (tasks stopping because of the abort) are not
 * listed. No task rejection is ever left unhandled.
 *
 * @example
 * await asyncWith(new TaskGroup(), (group) => {
 *   for (const url of urls) group.spawn((signal) => fetch(url, { signal }));
 * }); // all fetched, or an AggregateError and every other fetch aborted
 */
export class TaskGroup implements AsyncContextManager<TaskGroup, false> {
  readonly #controller = new AbortController();
  #state: "new" | "open" | "exiting" | "closed" = "new";
  #pending = 0;
  #errors: unknown[] = [];
  #drained: (() => void) | undefined;

  /** Aborts at the first failure; pass it to what the tasks await. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Starts `fn(signal)` now and returns its promise. Its failure is collected by the group (and
   * aborts the others) whether or not you await the promise. Allowed until the exit finishes.
   * @example const user = group.spawn((signal) => getUser(id, { signal }));
   */
  spawn<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>): Promise<Awaited<T>> {
    if (this.#state === "new" || this.#state === "closed") {
      throw new TypeError(
        `Expected an entered TaskGroup for spawn(), got one that ${this.#state === "new" ? "was not entered yet: use it inside asyncWith(group, …)" : "has exited: spawn before its block ends"}`,
      );
    }
    if (typeof fn !== "function") throw expected("spawn() to be given a function", fn);
    this.#pending++;
    const task = new Promise<Awaited<T>>((resolve) => resolve(fn(this.signal) as Awaited<T>));
    task.then(
      () => this.#settled(),
      (error) => this.#settled(error, true),
    );
    // The caller may never await `task`; its failure is reported by the group, so mark it handled.
    task.catch(() => {});
    return task;
  }

  [aenter](): this {
    if (this.#state !== "new")
      throw new TypeError(
        "Expected a fresh TaskGroup, got one already entered: task groups are single-use, make a new TaskGroup()",
      );
    this.#state = "open";
    return this;
  }

  async [aexit](failure?: Failure): Promise<false> {
    this.#state = "exiting";
    if (failure) this.#fail(failure.error, true);
    while (this.#pending > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#state = "closed";
    if (this.#errors.length)
      throw new AggregateError(this.#errors, `${this.#errors.length} of the TaskGroup's tasks (or its block) failed`);
    return false;
  }

  #settled(error?: unknown, failed = false): void {
    this.#pending--;
    if (failed) this.#fail(error, false);
    if (this.#pending === 0) this.#drained?.();
  }

  #fail(error: unknown, first: boolean): void {
    const signal = this.#controller.signal;
    if (signal.aborted && error === signal.reason) return; // stopped because we asked it to
    if (first) {
      // The block may be rethrowing a task's own failure (it awaited the task): list it once, first.
      const index = this.#errors.indexOf(error);
      if (index >= 0) this.#errors.splice(index, 1);
      this.#errors.unshift(error);
    } else this.#errors.push(error);
    if (!signal.aborted)
      this.#controller.abort(
        new DOMException("A task of the TaskGroup failed, so the group was aborted.", "AbortError"),
      );
  }
}
