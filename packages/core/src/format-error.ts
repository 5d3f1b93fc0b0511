// Errors that meet (SuppressedError, AggregateError, `cause`) read as a tree, not a wall of stacks.

/**
 * An error and everything it carries — a `SuppressedError`'s `error` and `suppressed`, an
 * `AggregateError`'s `errors`, any `cause` — as an indented tree, one line each: the error's name
 * and message and where it was thrown (its first stack frame).
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
    if (seen.has(e) || depth > 20) return void lines.push(`${indent}${label}(already shown above)`);
    if (e !== null && typeof e === "object") seen.add(e);
    lines.push(`${indent}${label}${describeError(e)}`);
    if (!(e instanceof Error)) return;
    const inner = e as Error & { error?: unknown; suppressed?: unknown; errors?: unknown[] };
    if (inner.name === "SuppressedError") {
      visit(inner.error, "error: ", depth + 1);
      visit(inner.suppressed, "suppressed: ", depth + 1);
    }
    if (Array.isArray(inner.errors)) inner.errors.forEach((x, i) => visit(x, `[${i}]: `, depth + 1));
    if ("cause" in inner) visit(inner.cause, "cause: ", depth + 1);
  };
  visit(error, "", 0);
  return lines.join("\n");
}

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return typeof e === "string" ? JSON.stringify(e) : String(e);
  const where = firstFrame(e.stack);
  return `${e.name}: ${e.message}${where ? ` (at ${where})` : ""}`;
}

/** The first frame of a V8 ("    at f (file:1:2)") or SpiderMonkey/JSC ("f@file:1:2") stack. */
function firstFrame(stack: string | undefined): string | undefined {
  for (const line of stack?.split("\n") ?? []) {
    const v8 = /^\s+at (.+)$/.exec(line);
    if (v8) return v8[1];
    const other = /^([^@\s]*)@(.+)$/.exec(line);
    if (other) return other[1] ? `${other[1]} (${other[2]})` : other[2];
  }
  return undefined;
}
