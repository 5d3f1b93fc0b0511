// Random programs of nested managers and exit-stack callbacks, run two ways: through the library,
// and through a small synchronous reference model written straight from the documented rules.
import {
  aenter,
  aexit,
  type AsyncContextManager,
  AsyncExitStack,
  asyncWith,
  contextManager,
  type Failure,
  SuppressedError,
} from "../src/index.js";

export type Thrown = "error" | "string" | "undefined";
export type SeeingExit = "ok" | "throw" | "suppress" | "rethrow";
export type Manager =
  | { kind: "raw"; sync: boolean; enter: Thrown | null; exit: SeeingExit; thrown: Thrown }
  | { kind: "gen"; enter: Thrown | null; exit: SeeingExit; thrown: Thrown }
  | { kind: "disposable"; exit: "ok" | "throw"; thrown: Thrown };
export type Item =
  | { kind: "push"; exit: SeeingExit; thrown: Thrown }
  | { kind: "callback" | "defer"; exit: "ok" | "throw"; thrown: Thrown }
  | { kind: "enterContext"; manager: Manager };
export type Node =
  | { kind: "body"; throws: Thrown | null }
  | { kind: "with"; managers: Manager[]; body: Node }
  | { kind: "stack"; items: Item[]; body: Node };

export type Shape = string | { error: Shape; suppressed: Shape } | { id: string; cause: Shape | undefined };
export type Outcome = { log: string[]; result: { ok: unknown } | { error: Shape } };

/** Hands out fresh thrown values with ids in program order, the same way in both runs. */
class Ids {
  n = 0;
  fresh(kind: Thrown, make: (id: string) => unknown): unknown {
    const id = `E${++this.n}`;
    return kind === "undefined" ? undefined : kind === "string" ? id : make(id);
  }
}

// ---------------------------------------------------------------- the library

export async function runReal(program: Node): Promise<Outcome> {
  const log: string[] = [];
  const ids = new Ids();
  const fresh = (kind: Thrown) => ids.fresh(kind, (id) => new Error(id));
  const names = { n: 0 };
  const manager = (m: Manager): AsyncContextManager<string> | AsyncDisposable => {
    const name = `${m.kind}${++names.n}`;
    if (m.kind === "disposable") {
      return {
        async [Symbol.asyncDispose]() {
          log.push(`dispose ${name}`);
          if (m.exit === "throw") throw fresh(m.thrown);
        },
      };
    }
    if (m.kind === "gen") {
      return contextManager(
        async function* () {
          log.push(`enter ${name}`);
          if (m.enter) throw fresh(m.enter);
          let failure: Failure | undefined;
          try {
            yield name;
          } catch (error) {
            failure = { error };
          }
          log.push(`exit ${name} saw ${failure ? label(failure.error) : "-"}`);
          if (m.exit === "throw") throw fresh(m.thrown);
          if (failure && m.exit !== "suppress") throw failure.error;
        },
        { suppresses: m.exit === "suppress" },
      )();
    }
    const maybeAsync = <T>(f: () => T) => (m.sync ? f() : Promise.resolve().then(f));
    return {
      [aenter]: () =>
        maybeAsync(() => {
          log.push(`enter ${name}`);
          if (m.enter) throw fresh(m.enter);
          return name;
        }),
      [aexit]: (failure?: Failure) => maybeAsync(() => seeingExit(`exit ${name}`, m.exit, m.thrown, failure)),
    };
  };
  const seeingExit = (what: string, exit: SeeingExit, thrown: Thrown, failure?: Failure) => {
    log.push(`${what} saw ${failure ? label(failure.error) : "-"}`);
    if (exit === "throw") throw fresh(thrown);
    if (exit === "rethrow" && failure) throw failure.error;
    return exit === "suppress";
  };
  const run = (node: Node): Promise<unknown> | unknown => {
    if (node.kind === "body") {
      log.push("body");
      if (node.throws) throw fresh(node.throws);
      return "result";
    }
    if (node.kind === "with") return asyncWith(node.managers.map(manager) as never, () => run(node.body));
    return asyncWith(new AsyncExitStack(), async (stack) => {
      for (const item of node.items) {
        const name = `${item.kind}${++names.n}`;
        if (item.kind === "push") stack.push((f) => seeingExit(`exit ${name}`, item.exit, item.thrown, f));
        else if (item.kind === "enterContext") await stack.enterContext(manager(item.manager));
        else {
          const fn = () => {
            log.push(`dispose ${name}`);
            if (item.exit === "throw") throw fresh(item.thrown);
          };
          if (item.kind === "defer") stack.defer(fn);
          else stack.callback(fn);
        }
      }
      return run(node.body);
    });
  };
  try {
    return { log, result: { ok: await run(program) } };
  } catch (error) {
    return { log, result: { error: shape(error) } };
  }
}

function label(x: unknown): string {
  if (x instanceof SuppressedError) return `S(${label(x.error)},${label(x.suppressed)})`;
  return x instanceof Error ? x.message : String(x);
}

function shape(x: unknown): Shape {
  if (x instanceof SuppressedError) return { error: shape(x.error), suppressed: shape(x.suppressed) };
  if (x instanceof Error) return { id: x.message, cause: Object.hasOwn(x, "cause") ? shape(x.cause) : undefined };
  return String(x);
}

// ---------------------------------------------------------------- the reference model

class ModelError {
  cause: unknown;
  hasCause = false;
  constructor(readonly id: string) {}
}
class ModelSuppressed {
  constructor(
    readonly error: unknown,
    readonly suppressed: unknown,
  ) {}
}
type Pending = { error: unknown } | undefined;
type Result = { ok: unknown } | { error: unknown };

export function runModel(program: Node): Outcome {
  const log: string[] = [];
  const ids = new Ids();
  const fresh = (kind: Thrown) => ids.fresh(kind, (id) => new ModelError(id));
  const names = { n: 0 };
  const labelOf = (x: unknown): string =>
    x instanceof ModelSuppressed
      ? `S(${labelOf(x.error)},${labelOf(x.suppressed)})`
      : x instanceof ModelError
        ? x.id
        : String(x);

  // Rule: an exit that sees the failure and throws replaces it; a fresh Error gets the replaced
  // error as its cause; the very same value leaves it unchanged.
  const replace = (pending: Pending, next: unknown): Pending => {
    if (pending && next === pending.error) return pending;
    if (pending && next instanceof ModelError && !next.hasCause)
      Object.assign(next, { cause: pending.error, hasCause: true });
    return { error: next };
  };
  // Rule: a disposer that throws while an error is in flight makes SuppressedError(new, old).
  const combine = (pending: Pending, next: unknown): Pending => ({
    error: pending ? new ModelSuppressed(next, pending.error) : next,
  });

  const seeing = (what: string, exit: SeeingExit, thrown: Thrown, pending: Pending): Pending => {
    log.push(`${what} saw ${pending ? labelOf(pending.error) : "-"}`);
    if (exit === "throw") return replace(pending, fresh(thrown));
    return exit === "suppress" ? undefined : pending;
  };
  type Exit = (pending: Pending) => Pending;
  /** Enters m: returns its exit, or the enter's error. */
  const enter = (m: Manager): { exit: Exit } | { error: unknown } => {
    const name = `${m.kind}${++names.n}`;
    if (m.kind === "disposable") {
      return { exit: (p) => (log.push(`dispose ${name}`), m.exit === "throw" ? combine(p, fresh(m.thrown)) : p) };
    }
    log.push(`enter ${name}`);
    if (m.enter) return { error: fresh(m.enter) };
    return { exit: (p) => seeing(`exit ${name}`, m.exit, m.thrown, p) };
  };
  const withOne = (exit: Exit, inner: () => Result): Result => {
    const result = inner();
    if ("ok" in result) {
      const left = exit(undefined);
      return left ? { error: left.error } : result;
    }
    const left = exit({ error: result.error });
    return left ? left : { ok: undefined };
  };
  const run = (node: Node): Result => {
    if (node.kind === "body") {
      log.push("body");
      return node.throws ? { error: fresh(node.throws) } : { ok: "result" };
    }
    if (node.kind === "with") {
      const nest = (i: number): Result => {
        if (i === node.managers.length) return run(node.body);
        const entered = enter(node.managers[i]!);
        return "error" in entered ? entered : withOne(entered.exit, () => nest(i + 1));
      };
      return nest(0);
    }
    // A stack inside asyncWith: register, run the body, then unwind LIFO; the stack as a whole is
    // an exit that saw the body's failure.
    const exits: Exit[] = [];
    let result: Result | undefined;
    for (const item of node.items) {
      const name = `${item.kind}${++names.n}`;
      if (item.kind === "push") exits.push((p) => seeing(`exit ${name}`, item.exit, item.thrown, p));
      else if (item.kind === "enterContext") {
        const entered = enter(item.manager);
        if ("error" in entered) {
          result = entered;
          break;
        }
        exits.push(entered.exit);
      } else
        exits.push((p) => (log.push(`dispose ${name}`), item.exit === "throw" ? combine(p, fresh(item.thrown)) : p));
    }
    result ??= run(node.body);
    const failure: Pending = "error" in result ? { error: result.error } : undefined;
    let left = failure;
    for (let i = exits.length - 1; i >= 0; i--) left = exits[i]!(left);
    if (!failure) return left ? { error: left.error } : result;
    if (!left) return { ok: undefined };
    return left.error === failure.error ? failure : replace(failure, left.error)!;
  };
  const modelShape = (x: unknown): Shape =>
    x instanceof ModelSuppressed
      ? { error: modelShape(x.error), suppressed: modelShape(x.suppressed) }
      : x instanceof ModelError
        ? { id: x.id, cause: x.hasCause ? modelShape(x.cause) : undefined }
        : String(x);
  const result = run(program);
  return { log, result: "ok" in result ? result : { error: modelShape(result.error) } };
}
