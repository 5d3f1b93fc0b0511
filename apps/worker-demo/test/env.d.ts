declare namespace Cloudflare {
  interface Env {
    BANK: DurableObjectNamespace<import("../src/bank.ts").Bank>;
    LOCKS: DurableObjectNamespace;
  }
}
