declare namespace Cloudflare {
  interface Env {
    STORE: DurableObjectNamespace<import("./worker.ts").Store>;
    LOCKS: DurableObjectNamespace;
    FORGETFUL_LOCKS: DurableObjectNamespace;
    DB: D1Database;
  }
}
