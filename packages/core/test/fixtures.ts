// Small managers that log what happens to them, for asserting the order of events.
import { aenter, aexit, type AsyncContextManager, type Failure } from "../src/index.js";

export type Log = string[];

export interface ManagerScript {
  enterThrows?: unknown;
  exitThrows?: unknown;
  suppress?: boolean;
  async?: boolean;
}

/** A raw manager named `name` that records enter/exit (and what exit saw) into `log`. */
export function manager(log: Log, name: string, script: ManagerScript = {}): AsyncContextManager<string, boolean> {
  const settle = <T>(f: () => T): T | Promise<T> => (script.async === false ? f() : Promise.resolve().then(f));
  return {
    [aenter]() {
      return settle(() => {
        log.push(`enter ${name}`);
        if ("enterThrows" in script) throw script.enterThrows;
        return name;
      });
    },
    [aexit](failure?: Failure) {
      return settle(() => {
        log.push(`exit ${name}${failure ? ` (${label(failure.error)})` : ""}`);
        if ("exitThrows" in script) throw script.exitThrows;
        return script.suppress === true;
      });
    },
  };
}

/** An object with `Symbol.asyncDispose` that records its disposal. */
export function disposable(log: Log, name: string, throws?: { error: unknown }): AsyncDisposable & { name: string } {
  return {
    name,
    async [Symbol.asyncDispose]() {
      log.push(`dispose ${name}`);
      if (throws) throw throws.error;
    },
  };
}

export function label(x: unknown): string {
  return x instanceof Error ? x.message : String(x);
}

/** Resolves with what `promise` rejected with; fails if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("Expected the promise to reject, but it resolved");
}

/** Work that only ends when its signal aborts, rejecting with the reason, as fetch() does. */
export const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
