// With the real OpenTelemetry SDK (sdk-trace-base, an in-memory exporter) and Node's
// AsyncLocalStorage context manager: no mock of the API.
import { AsyncExitStack, asyncWith, resource, suppress } from "@asyncwith/core";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { instrument } from "../src/index.ts";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
let stop: (() => void) | undefined;
beforeAll(() => void context.setGlobalContextManager(contextManager.enable()));
afterAll(() => void (contextManager.disable(), context.disable()));
afterEach(() => {
  stop?.();
  exporter.reset();
});

const named = (name: string) =>
  resource(
    () => name,
    () => {},
    name,
  );
const span = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)!;
const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;

it("makes each block a span named after its manager, nested by the active context across awaits", async () => {
  stop = instrument({ tracer: provider.getTracer("test") });
  await asyncWith(named("outer"), async () => {
    await new Promise((resolve) => setTimeout(resolve, 1)); // a real async gap
    await asyncWith(named("inner"), () => {});
    await asyncWith(new AsyncExitStack(), (stack) => stack.enterContext(named("stacked")));
  });
  const outer = span("outer");
  expect(parentId(span("inner"))).toBe(outer.spanContext().spanId);
  expect(parentId(span("AsyncExitStack"))).toBe(outer.spanContext().spanId);
  expect(parentId(span("stacked"))).toBe(span("AsyncExitStack").spanContext().spanId);
  expect(outer.status.code).toBe(1); // OK
  expect(outer.attributes["asyncwith.outcome"]).toBe("ok");
});

it("a failed block: status ERROR, the exception recorded; the error itself is untouched", async () => {
  stop = instrument({ tracer: provider.getTracer("test") });
  const error = new Error("insert failed");
  await expect(asyncWith(named("transaction"), () => Promise.reject(error))).rejects.toBe(error);
  const s = span("transaction");
  expect(s.status).toEqual({ code: 2, message: "Error: insert failed" }); // ERROR
  expect(s.events.map((e) => [e.name, e.attributes?.["exception.message"]])).toEqual([["exception", "insert failed"]]);
});

it("a suppressed error: status OK, asyncwith.suppressed, the exception still recorded", async () => {
  stop = instrument({ tracer: provider.getTracer("test") });
  await asyncWith(suppress(TypeError), () => Promise.reject(new TypeError("ignored")));
  const s = span("suppress");
  expect([s.status.code, s.attributes["asyncwith.suppressed"], s.attributes["asyncwith.outcome"]]).toEqual([
    1,
    true,
    "suppressed",
  ]);
  expect(s.events[0]?.attributes?.["exception.message"]).toBe("ignored");
});

it("stops: no span after the returned function is called", async () => {
  stop = instrument({ tracer: provider.getTracer("test") });
  stop();
  await asyncWith(named("after"), () => {});
  expect(exporter.getFinishedSpans()).toEqual([]);
});
