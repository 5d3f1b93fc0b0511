// With the real OpenTelemetry SDK (sdk-trace-base, an in-memory exporter) and Node's
// AsyncLocalStorage context manager: no mock of the API.
import { AsyncExitStack, asyncWith, enter, resource, suppress } from "@asyncwith/core";
import { context, trace } from "@opentelemetry/api";
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
  expect(outer.status.code).toBe(0); // UNSET: the conventions leave a success unset
  expect(outer.attributes["asyncwith.outcome"]).toBe("ok");
});

it("a failed block: status ERROR, the exception recorded; the error itself is untouched", async () => {
  stop = instrument({ tracer: provider.getTracer("test") });
  const error = new Error("insert failed");
  await expect(asyncWith(named("transaction"), () => Promise.reject(error))).rejects.toBe(error);
  const s = span("transaction");
  expect(s.status).toEqual({ code: 2, message: "Error: insert failed" }); // ERROR
  expect(s.attributes["error.type"]).toBe("Error");
  expect(s.events.map((e) => [e.name, e.attributes?.["exception.message"]])).toEqual([["exception", "insert failed"]]);
});

it("a suppressed error is a handled one: status UNSET, asyncwith.suppressed, no exception event", async () => {
  stop = instrument({ tracer: provider.getTracer("test") });
  await asyncWith(suppress(TypeError), () => Promise.reject(new TypeError("ignored")));
  const s = span("suppress");
  expect([s.status.code, s.attributes["asyncwith.suppressed"], s.attributes["asyncwith.outcome"]]).toEqual([
    0,
    true,
    "suppressed",
  ]);
  expect([s.events, s.attributes["error.type"]]).toEqual([[], undefined]);
});

it("error.type for every failure: a class name, _OTHER for a thrown non-error, a value with a throwing toString", async () => {
  stop = instrument({ tracer: provider.getTracer("test") });
  const hostile = {
    toString: () => {
      throw new Error("no");
    },
  };
  for (const [name, thrown] of [
    ["range", new RangeError("r")],
    ["text", "just text"],
    ["hostile", hostile],
  ] as const)
    await expect(asyncWith(named(name), () => Promise.reject(thrown))).rejects.toBe(thrown);
  expect(["range", "text", "hostile"].map((n) => span(n).attributes["error.type"])).toEqual([
    "RangeError",
    "_OTHER",
    "_OTHER",
  ]);
});

// A manager doing its own traced work in its enter and its exit, as a driver's BEGIN and COMMIT would.
const traced = (name: string) =>
  resource(
    () => provider.getTracer("driver").startActiveSpan("BEGIN", async (s) => (await Promise.resolve(), s.end(), name)),
    () => provider.getTracer("driver").startActiveSpan("COMMIT", async (s) => void (await Promise.resolve(), s.end())),
    name,
  );

it("the block's span covers its enter and exit: their own spans are its children, and it ends after them", async () => {
  stop = instrument({ tracer: provider.getTracer("test") });
  await asyncWith(traced("transaction"), () => provider.getTracer("app").startSpan("INSERT").end());
  const [block, begin, insert, commit] = ["transaction", "BEGIN", "INSERT", "COMMIT"].map(span) as ReadableSpan[];
  for (const child of [begin!, insert!, commit!]) expect(parentId(child)).toBe(block!.spanContext().spanId);
  // Its children existed in its context, so it started first; it ends last (spans finish in order).
  expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["BEGIN", "INSERT", "COMMIT", "transaction"]);
});

it("enter() and await using: the body, the enter and the exit run in the block's span; what follows does not", async () => {
  stop = instrument({ tracer: provider.getTracer("test") });
  const active = () => trace.getActiveSpan()?.spanContext().spanId;
  const ids: unknown[] = [];
  await asyncWith(named("request"), async () => {
    const outside = active();
    let inBody: string | undefined;
    {
      const held = await enter(traced("transaction"));
      await new Promise((resolve) => setTimeout(resolve, 1)); // a real async gap in the body
      inBody = active();
      provider.getTracer("app").startSpan("INSERT").end();
      held.ok();
      await held[Symbol.asyncDispose]();
    }
    expect(inBody).not.toBe(outside);
    expect(active()).toBe(outside); // after the block: the caller's own span again
    ids.push(inBody);
    const error = new Error("refused");
    await expect(
      enter(
        resource(
          () => Promise.reject(error),
          () => {},
          "refused",
        ),
      ),
    ).rejects.toBe(error);
    expect(active()).toBe(outside); // a failed enter leaves the caller where it was
  });
  const block = span("transaction").spanContext().spanId;
  expect(ids).toEqual([block]);
  expect(["BEGIN", "INSERT", "COMMIT"].map((n) => parentId(span(n)))).toEqual([block, block, block]);
  expect(parentId(span("transaction"))).toBe(span("request").spanContext().spanId);
});

it("stops: no span after the returned function is called", async () => {
  stop = instrument({ tracer: provider.getTracer("test") });
  stop();
  await asyncWith(named("after"), () => {});
  expect(exporter.getFinishedSpans()).toEqual([]);
});
