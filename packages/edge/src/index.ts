export { type ExecutionContextLike, type RequestScope, requestScope } from "./request-scope.js";
export { withScope, type WithScopeOptions } from "./with-scope.js";
export { durableTransaction, type RollbackOnly, type TransactionalStorage } from "./durable-transaction.js";
export { rpcStub } from "./rpc-stub.js";
export { type BatchDatabase, type D1BatchCollector, d1Batch } from "./d1-batch.js";
export {
  DurableLock,
  durableLock,
  type DurableLockOptions,
  type HeldDurableLock,
  type LockNamespace,
  type LockStub,
} from "./durable-lock.js";
