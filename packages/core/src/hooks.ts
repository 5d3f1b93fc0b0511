// The one place the unobserved paths look for observers: slots that `observe()` fills on its first
// subscription. Until then (and in every bundle that never imports `observe`) they are empty, so
// watching costs neither time nor bytes where nobody watches.
import type { AsyncContextManager } from "./protocol.js";

export const hooks: {
  /** asyncWith for one manager, watched; undefined when no observer is active now. */
  with?: (m: AsyncContextManager, body: (value: unknown) => unknown) => Promise<unknown> | undefined;
  /** AsyncExitStack.enterContext, watched: `register` takes the exit to push. */
  enterContext?: (
    m: AsyncContextManager,
    register: (exit: AsyncContextManager) => void,
  ) => Promise<unknown> | undefined;
  /** While `detectLeaks()` is on: watch `target` (entered, named after `manager`) until untracked. */
  track?: (target: object, manager: unknown) => void;
  /** Its exit ran (or something else now covers it): stop watching. */
  untrack?: (target: object) => void;
} = {};
