declare namespace Cloudflare {
  interface Env {
    STORE: DurableObjectNamespace<import("./worker.ts").Store>;
    LOCKS: DurableObjectNamespace;
    DB: D1Database;
  }
}
