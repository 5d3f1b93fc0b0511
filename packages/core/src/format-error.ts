// Errors that meet (SuppressedError, AggregateError, `cause`) read as a tree, not a wall of stacks.
// It is called from `catch` blocks that log, so it never throws: a throwing formatter would replace
// the very error being reported. What cannot be read is left out.
import { isError, tagOf } from "./errors.js";

/** How deep the tree goes before it stops (a chain of causes that long is almost surely generated). */
const MAX_DEPTH = 20;

/**
 * An error and everything it carries — a `SuppressedError`'s `error` and `suppressed`, an
 * `AggregateError`'s `errors`, any `cause` — as an indented tree, one line each: the error's name
 * and message and where it was thrown (its first stack frame). Never throws, whatever it is given
 * (errors from another realm, objects without a prototype, getters that throw).
 *
 * @example
 * try { await main(); } catch (error) { console.error(formatError(error)); }
 * // SuppressedError: An error was suppressed during disposal (at close (db.ts:40:11))
 * //   error: Error: close failed (at close (db.ts:40:11))
 * //   suppressed: Error: insert failed (at save (app.ts:12:9))
 */
export function formatError(error: unknown): string {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, label: string, depth: number): void => {
    const indent = "  ".repeat(depth);
    if (seen.has(e)) return void lines.push(`${indent}${label}(already shown above)`);
    if (depth > MAX_DEPTH) return void lines.push(`${indent}${label}(deeper than ${MAX_DEPTH} levels: not shown)`);
    if (Object(e) === e) seen.add(e); // an object or a function
    // What cannot be read (a getter or proxy trap that throws) is left out, never thrown.
    lines.push(
      `${indent}${label}${attempt(
        () => describe(e),
        () =>
          attempt(
            () => `[object ${tagOf(e)}]`,
            () => "?",
          ),
      )}`,
    );
    if (!anyError(e)) return;
    const inner = e as Error & { error?: unknown; suppressed?: unknown; errors?: unknown };
    attempt(
      () => {
        if (inner.name === "SuppressedError") {
          visit(inner.error, "error: ", depth + 1);
          visit(inner.suppressed, "suppressed: ", depth + 1);
        }
        if (Array.isArray(inner.errors)) Array.from(inner.errors).forEach((x, i) => visit(x, `[${i}]: `, depth + 1));
        if ("cause" in inner) visit(inner.cause, "cause: ", depth + 1);
      },
      () => undefined,
    );
  };
  visit(error, "", 0);
  return lines.join("\n");
}

const attempt = <T>(fn: () => T, fallback: () => T): T => {
  try {
    return fn();
  } catch {
    return fallback();
  }
};

/** An Error of any realm (an iframe's, a `vm` context's): `instanceof` sees only this realm's. */
const anyError = (e: unknown): e is object =>
  attempt(
    () => isError(e) || tagOf(e) === "Error", // a primitive's tag is never "Error"
    () => false,
  );

function describe(e: unknown): string {
  if (!anyError(e)) return typeof e === "string" ? JSON.stringify(e) : String(e);
  const { name, message, stack } = e as Error;
  const where = firstFrame(stack);
  return `${String(name) || "Error"}: ${String(message)}${where ? ` (at ${where})` : ""}`;
}

/** The first frame of a V8 ("    at f (file:1:2)") or SpiderMonkey/JSC ("f@file:1:2") stack. */
function firstFrame(stack: unknown): string | undefined {
  if (typeof stack !== "string") return undefined;
  for (const line of stack.split("\n")) {
    const v8 = /^\s+at (.+)$/.exec(line);
    if (v8) return v8[1];
    const other = /^([^@\s]*)@(.+)$/.exec(line);
    if (other) return other[1] ? `${other[1]} (${other[2]})` : other[2];
  }
  return undefined;
}
