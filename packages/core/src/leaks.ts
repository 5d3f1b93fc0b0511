// Opt-in leak warnings: a manager entered but never exited, or a value of enter() never disposed,
// that the garbage collector takes, is reported once, with where it was entered. Off by default
// and free until first turned on (the tracking slots stay empty).
//
// No false warnings: a target is tracked only once its enter succeeded, and untracked on every
// exit — also one that runs after detection was switched off (or off and on again), or that another
// copy of this package runs — which is why there is one registry, shared by every copy (hooks.ts),
// and `untrack` stays installed once set. Each target is its own unregister token (held weakly).
import { checkOptions } from "./errors.js";
import { hooks } from "./hooks.js";
import { nameOf } from "./names.js";

/** Options of `detectLeaks`: how a leak is reported. */
export interface DetectLeaksOptions {
  /** How to report a leak. Default: `console.warn` (the Node adapter reports through Node's own warnings). */
  warn?: (message: string, enteredAt: string | undefined) => void;
}

/** One `detectLeaks()` call: reports only while it is on. */
interface Session {
  on: boolean;
  warn: (message: string, enteredAt: string | undefined) => void;
}

export interface Tracked {
  name: string;
  at: string | undefined;
  session: Session;
}

/**
 * Turns leak detection on (development mode): every value of `enter()` and every `resource()` /
 * `contextManager()` manager entered by hand is watched from its successful enter until its exit
 * runs; one collected before that produces one warning naming the manager and the stack where it
 * was entered. Returns the function that turns it off (what was tracked is then never reported).
 * Adds a stack capture per enter while on: not for production.
 *
 * @example
 * if (import.meta.env?.DEV) detectLeaks();
 */
export function detectLeaks(options: DetectLeaksOptions = {}): () => void {
  // Checked now: called later, from the collector, a bad warn would throw where nobody can catch it.
  checkOptions("detectLeaks()", options, { warn: "function" });
  const warn = options.warn ?? ((message, at) => console.warn(at ? `${message}\n${at}` : message));
  const session: Session = { on: true, warn };
  const registry = (hooks.leaks ??= new FinalizationRegistry<Tracked>(({ name, at, session }) => {
    if (!session.on) return;
    try {
      session.warn(
        `asyncwith: a ${name} was entered but never exited before it was garbage-collected, so its resource leaked. Exit it: asyncWith does; with enter(), use await using (or call [Symbol.asyncDispose]).`,
        at,
      );
    } catch (error) {
      // A finalizer's throw is an uncaught exception: reported instead, it never ends the program.
      console.error("[asyncwith] detectLeaks()'s warn threw while reporting a leak:", error);
    }
  }));
  const track = (target: object, manager: unknown) =>
    void registry.register(target, { name: nameOf(manager), at: new Error("entered here").stack, session }, target);
  hooks.track = track;
  hooks.untrack ??= (target) => void registry.unregister(target);
  return () => {
    session.on = false;
    if (hooks.track === track) hooks.track = undefined;
  };
}
