export { aenter, aexit, managerName } from "./symbols.js";
export { type Block, observe, type Observer, type Outcome } from "./observe.js";
export type {
  AsyncContextManager,
  ContextValue,
  Enterable,
  EnterOptions,
  ExitOptions,
  ExitType,
  Failure,
  Values,
  WithResult,
} from "./protocol.js";
export { asyncWith, type ManyResult } from "./async-with.js";
export {
  type ContextManagerOptions,
  contextManager,
  enterOptions,
  exitOptions,
  type GeneratorContextManager,
} from "./context-manager.js";
export { AsyncExitStack, type ExitCallback } from "./exit-stack.js";
export { enter, type Entered } from "./enter.js";
export { singleError, SuppressedError, type SuppressedErrorConstructor } from "./errors.js";
export { aclosing, closing, type ErrorMatcher, nullContext, suppress } from "./helpers.js";
export { formatError } from "./format-error.js";
export { detectLeaks, type DetectLeaksOptions } from "./leaks.js";
export { resource } from "./resource.js";
export {
  moveOnAfter,
  moveOnAt,
  timeout,
  timeoutAt,
  TimeoutError,
  type TimeoutOptions,
  type TimeoutScope,
} from "./timeout.js";
export { TaskGroup, type TaskGroupOptions } from "./task-group.js";
export { concurrently, type ConcurrentlyOptions, exitWithin, type ExitWithinOptions } from "./cancellation.js";
export { type AcquireOptions, BoundedSemaphore, Lock, Semaphore } from "./semaphore.js";
export { Event } from "./event.js";
export { Condition } from "./condition.js";
