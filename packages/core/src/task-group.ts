import { causedBy, expected, signalOf } from "./errors.js";
import type { AsyncContextManager, ExitOptions, Failure } from "./protocol.js";
import { propagate } from "./propagate.js";
import { aenter, aexit } from "./symbols.js";

/** Options of `new TaskGroup()`: an outer signal that cancels the group. */
export interface TaskGroupOptions {
  /**
   * An outer cancellation (a request's, an enclosing `timeout`'s): when it aborts, the group's
   * signal aborts with the same reason, and the exit raises that reason itself when nothing else
   * failed — as asyncio propagates `CancelledError`, not an `ExceptionGroup`.
   */
  signal?: AbortSignal;
}

/**
 * Python's `asyncio.TaskGroup`: the block spawns tasks; the exit waits for every one of them.
 * The first failure (a task's or the block's) aborts the group's `signal`, so the rest can stop;
 * once all have settled the exit raises an `AggregateError` of every failure, the block's first.
 * Rejections with the group's own `signal.reason` (tasks stopping because of the abort) are not
 * listed. No task rejection is ever left unhandled. `cancel()` stops the group on purpose: tasks
 * that stop because of it are not failures.
 *
 * @example
 * await asyncWith(new TaskGroup({ signal: request.signal }), (group) => {
 *   for (const url of urls) group.spawn((signal) => fetch(url, { signal }));
 * }); // all fetched, or an AggregateError and every other fetch aborted
 */
export class TaskGroup implements AsyncContextManager<TaskGroup, false> {
  readonly #controller = new AbortController();
  readonly #outer: AbortSignal | undefined;
  #state: "new" | "open" | "exiting" | "closed" = "new";
  #pending = 0;
  #errors: unknown[] = [];
  #drained: (() => void) | undefined;

  constructor(options?: TaskGroupOptions) {
    this.#outer = signalOf(options, "TaskGroup");
  }

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

  /**
   * Python 3.14's `TaskGroup.cancel()`: aborts the group's signal with `reason` (default: an
   * `AbortError`), so its tasks can stop. Tasks that fail with that reason are not failures: the
   * exit completes without error unless something else failed. (A block that itself awaits the
   * group's signal gets the reason, as any awaiter of an aborted signal does.) Callable from the
   * block or a task; idempotent.
   * @example group.spawn(async () => { if (await found()) group.cancel(); }); // first hit wins
   */
  cancel(reason: unknown = new DOMException("The TaskGroup was cancelled.", "AbortError")): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
  }

  [aenter](): this {
    if (this.#state !== "new")
      throw new TypeError(
        "Expected a fresh TaskGroup, got one already entered: task groups are single-use, make a new TaskGroup()",
      );
    if (this.#outer?.aborted) throw this.#outer.reason; // not throwIfAborted(): a polyfilled signal may lack it
    this.#state = "open";
    this.#outer?.addEventListener("abort", this.#follow, { once: true });
    return this;
  }

  /**
   * Waits for every task. An exit deadline (`exitWithin`) cuts the wait short the only way it can
   * end: it cancels the group with its reason, so the tasks still running are asked to stop.
   */
  async [aexit](failure?: Failure, options?: ExitOptions): Promise<false> {
    this.#state = "exiting";
    if (failure) this.#fail(failure.error, true);
    const hurry = options?.signal;
    const stop = () => propagate(() => this.cancel(hurry!.reason));
    if (hurry?.aborted) stop();
    else hurry?.addEventListener("abort", stop, { once: true });
    while (this.#pending > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    hurry?.removeEventListener("abort", stop);
    this.#state = "closed";
    this.#outer?.removeEventListener("abort", this.#follow);
    if (this.#errors.length)
      throw new AggregateError(this.#errors, `${this.#errors.length} of the TaskGroup's tasks (or its block) failed`);
    // Cancelled from outside — also when cancel() or a failure had already stopped the group, and
    // the outer abort came during the clean-up: the cancellation goes on to whoever owns the outer
    // signal, never lost (CPython gh-155433).
    const outer = this.#outer;
    if (outer?.aborted) {
      if (failure && causedBy(failure.error, outer.reason)) return false;
      throw outer.reason;
    }
    return false;
  }

  readonly #follow = (): void =>
    propagate(() => {
      if (this.#controller.signal.aborted) return;
      this.#controller.abort(this.#outer!.reason);
    });

  #settled(error?: unknown, failed = false): void {
    this.#pending--;
    if (failed) this.#fail(error, false);
    if (this.#pending === 0) this.#drained?.();
  }

  #fail(error: unknown, first: boolean): void {
    const signal = this.#controller.signal;
    if (signal.aborted && causedBy(error, signal.reason)) return; // stopped because we asked it to
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
