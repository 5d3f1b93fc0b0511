export { webLock, type HeldWebLock, type WebLockOptions } from "./web-lock.js";
export { type NotAPromise, openDatabase, type OpenDatabaseOptions } from "./open-database.js";
export type { WaitForOptions } from "./_wait-for.js";
export { EarlyCommitError, type Promised, type PromisedMembers, transaction, type WaitFor } from "./transaction.js";
export { objectURL } from "./object-url.js";
export { broadcastChannel } from "./broadcast-channel.js";
export { abortScope } from "./abort-scope.js";
