export { aenter, aexit } from "./symbols.js";
export type { AsyncContextManager, ContextValue, Enterable, Failure, WithResult } from "./protocol.js";
export { asyncWith } from "./async-with.js";
export { contextManager, GeneratorContextManager } from "./context-manager.js";
export { AsyncExitStack, type ExitCallback } from "./exit-stack.js";
export { enter, type Entered } from "./enter.js";
export { SuppressedError, type SuppressedErrorConstructor } from "./errors.js";
export { aclosing, closing, nullContext, suppress } from "./helpers.js";
