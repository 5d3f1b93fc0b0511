// Opt-in leak warnings: a manager entered but never exited, or a value of enter() never disposed,
// that the garbage collector takes, is reported once, with where it was entered. Off by default
// and free when off (the tracking slots stay empty).
import { hooks } from "./hooks.js";
import { nameOf } from "./names.js";

/** Options of `detectLeaks`: how a leak is reported. */
export interface DetectLeaksOptions {
  /** How to report a leak. Default: `console.warn` (the Node adapter reports through Node's own warnings). */
  warn?: (message: string, enteredAt: string | undefined) => void;
}

/**
 * Turns leak detection on (development mode): every value of `enter()` and every `resource()` /
 * `contextManager()` manager entered by hand is watched until its exit runs; one collected before
 * that produces one warning naming the manager and the stack where it was entered. Returns the
 * function that turns it off. Adds a stack capture per enter while on: not for production.
 *
 * @example
 * if (import.meta.env?.DEV) detectLeaks();
 */
export function detectLeaks(options: DetectLeaksOptions = {}): () => void {
  const warn = options.warn ?? ((message, at) => console.warn(at ? `${message}\n${at}` : message));
  const registry = new FinalizationRegistry<{ name: string; at: string | undefined }>(({ name, at }) =>
    warn(
      `asyncwith: a ${name} was entered but never exited before it was garbage-collected, so its resource leaked. Exit it: asyncWith does; with enter(), use await using (or call [Symbol.asyncDispose]).`,
      at,
    ),
  );
  const tokens = new WeakMap<object, object>();
  hooks.track = (target, manager) => {
    const token = {};
    tokens.set(target, token);
    registry.register(target, { name: nameOf(manager), at: new Error("entered here").stack }, token);
  };
  hooks.untrack = (target) => {
    const token = tokens.get(target);
    if (token) registry.unregister(token);
  };
  return () => {
    hooks.track = hooks.untrack = undefined;
  };
}
