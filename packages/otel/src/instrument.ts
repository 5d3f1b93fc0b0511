import { type Block, observe } from "@asyncwith/core";
import { type Context, context, type Span, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";

/** Options of `instrument`: the tracer the spans come from. */
export interface InstrumentOptions {
  /** The tracer spans come from. Default: `trace.getTracer("@asyncwith/otel")` of the global provider. */
  tracer?: Tracer;
}

/**
 * Turns every block run by `asyncWith`, `enter()` and `AsyncExitStack` into a span named after its
 * manager (`fileLock`, `transaction`, …). The span covers the whole block: the manager's own enter
 * and exit work (a `BEGIN`, a `COMMIT`) and the body run inside it, so their spans are its children.
 * It ends with the block's outcome, following OpenTelemetry's conventions: status left `UNSET` on
 * success and when an exit suppressed the error (a handled error: `asyncwith.suppressed: true`, no
 * exception event); `ERROR` with `error.type` and the exception recorded when it failed. Returns the
 * function that stops.
 *
 * @example
 * import { instrument } from "@asyncwith/otel";
 * const stop = instrument(); // after your SDK is set up
 */
export function instrument(options: InstrumentOptions = {}): () => void {
  const tracer = options.tracer ?? trace.getTracer("@asyncwith/otel");
  const spans = new WeakMap<Block, Span>();
  const end = (block: Block) => {
    const span = spans.get(block);
    if (!span) return;
    spans.delete(block);
    span.setAttribute("asyncwith.outcome", block.outcome!);
    if (block.outcome === "suppressed") span.setAttribute("asyncwith.suppressed", true);
    else if (block.outcome !== "ok") {
      span.setAttribute("error.type", _errorType(block.error));
      span.recordException(_exception(block.error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: _message(block.error) });
    }
    span.end();
  };
  const inSpan = (block: Block) => {
    const span = spans.get(block);
    return span && trace.setSpan(context.active(), span);
  };
  return observe({
    enter(block) {
      const attributes = { "asyncwith.block.id": block.id, "asyncwith.manager": block.name };
      spans.set(block, tracer.startSpan(block.name, { attributes }, context.active()));
    },
    entered: (block) => void (block.outcome === "enter-failed" && end(block)),
    exited: end,
    run(block, fn) {
      const inner = inSpan(block);
      return inner ? context.with(inner, fn) : fn();
    },
    attach(block) {
      const inner = inSpan(block);
      if (inner) _storage()?.enterWith(_live(block, inner, context.active()));
    },
  });
}

/**
 * A context that is the block's (`inner`) while it lasts and the caller's (`outer`) once it is over,
 * so an `await using` body runs in the span's context and what follows the block does not — without
 * anything having to switch back (a disposer runs in the caller's frame, which cannot be restored).
 */
function _live(block: Block, inner: Context, outer: Context): Context {
  const now = () => (block.outcome === undefined ? inner : outer);
  return {
    getValue: (key) => now().getValue(key),
    setValue: (key, value) => now().setValue(key, value),
    deleteValue: (key) => now().deleteValue(key),
  };
}

/**
 * The AsyncLocalStorage behind the registered context manager, when it has one
 * (`@opentelemetry/context-async-hooks`' AsyncLocalStorageContextManager): the only way to make a
 * context current for the rest of a calling function, which the API itself does not offer.
 */
function _storage(): { enterWith(value: Context): void } | undefined {
  const manager = (context as unknown as { _getContextManager?: () => unknown })._getContextManager?.();
  const storage = (manager as { _asyncLocalStorage?: { enterWith?: unknown } } | undefined)?._asyncLocalStorage;
  return typeof storage?.enterWith === "function" ? (storage as { enterWith(value: Context): void }) : undefined;
}

/** `error.type`: the error's class name (its `name`), or `_OTHER` for a thrown non-error. */
const _errorType = (error: unknown) =>
  error instanceof Error || (typeof error === "object" && error !== null && typeof (error as Error).name === "string")
    ? (error as Error).name
    : "_OTHER";

/** What `recordException` takes: an Error as it is, anything else as its string. */
const _exception = (error: unknown) => (error instanceof Error ? error : _string(error));

const _message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : _string(error));

/** Any thrown value as text, even one whose `toString` throws or that has none: reporting never fails. */
function _string(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
