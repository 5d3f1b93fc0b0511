export type { ClientOf, PoolLike, Queryable, QueryResultLike } from "./_shared.js";
export { type Transaction, transaction, type TransactionOptions } from "./transaction.js";
export { connection, type ConnectionOptions } from "./connection.js";
export { type AdvisoryLockOptions, advisoryLock, advisoryXactLock, type HeldAdvisoryLock } from "./advisory-lock.js";
export { retryOnConflict, type RetryOptions } from "./retry.js";
export { checkFence } from "./fence.js";
