import { type Block, observe } from "@asyncwith/core";
import { context, type Span, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";

/** Options of `instrument`: the tracer the spans come from. */
export interface InstrumentOptions {
  /** The tracer spans come from. Default: `trace.getTracer("@asyncwith/otel")` of the global provider. */
  tracer?: Tracer;
}

/**
 * Turns every block run by `asyncWith`, `enter()` and `AsyncExitStack` into a span named after its
 * manager (`fileLock`, `transaction`, …). Spans nest by the active OpenTelemetry context (the block's
 * body runs inside its span), and close with the block's outcome: status `ERROR` with the exception
 * recorded when it failed, `OK` when it succeeded — or when an exit suppressed the error, with
 * `asyncwith.suppressed: true` and the suppressed exception recorded. Returns the function that stops.
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
    if (block.outcome === "ok") span.setStatus({ code: SpanStatusCode.OK });
    else if (block.outcome === "suppressed") {
      span.recordException(_exception(block.error));
      span.setAttribute("asyncwith.suppressed", true);
      span.setStatus({ code: SpanStatusCode.OK });
    } else {
      span.recordException(_exception(block.error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: _message(block.error) });
    }
    span.end();
  };
  return observe({
    enter(block) {
      const attributes = { "asyncwith.block.id": block.id, "asyncwith.manager": block.name };
      spans.set(block, tracer.startSpan(block.name, { attributes }, context.active()));
    },
    entered: (block) => block.outcome === "enter-failed" && end(block),
    exited: end,
    run(block, body) {
      const span = spans.get(block);
      return span ? context.with(trace.setSpan(context.active(), span), body) : body();
    },
  });
}

/** What `recordException` takes: an Error as it is, anything else as its string. */
const _exception = (error: unknown) => (error instanceof Error ? error : String(error));

const _message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
