/**
 * The key of a manager's enter method, Python's `__aenter__`. Registered with `Symbol.for`, so
 * the ESM and CJS copies of this package (or two installed versions) agree on it.
 *
 * @example
 * const manager = {
 *   async [aenter]() { return await connect() },
 *   async [aexit](failure?: Failure) { if (failure) await rollback() },
 * }
 */
export const aenter: unique symbol = Symbol.for("asyncwith.aenter");

/**
 * The key of a manager's exit method, Python's `__aexit__`. It receives `undefined` when the block
 * completed and `{ error }` when it threw; returning (or resolving to) exactly `true` suppresses
 * the error.
 *
 * @example
 * const ignoreAbort = {
 *   [aenter]() {},
 *   [aexit](failure?: Failure) { return (failure?.error as Error)?.name === "AbortError" },
 * }
 */
export const aexit: unique symbol = Symbol.for("asyncwith.aexit");

/**
 * What a manager is called in traces and errors: a string under this registered symbol. Core's and
 * the adapters' managers carry one (`fileLock`, `transaction`, `timeout`); classes go by their name.
 * @example const pool = { [managerName]: "pool", [aenter]() { … }, [aexit]() { … } };
 */
export const managerName: unique symbol = Symbol.for("asyncwith.name") as never;
