// The server tests' global setup: a throw-away PostgreSQL cluster (test/cluster.mjs), stopped and
// removed after. `npm test` installs Debian's postgresql when it is missing.
import type { TestProject } from "vitest/node";
import { startCluster } from "./cluster.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    pg: { host: string; user: string; database: string; bin: string; data: string };
  }
}

export default function setup(project: TestProject): () => void {
  const cluster = startCluster();
  project.provide("pg", cluster.config);
  return () => cluster.stop();
}
