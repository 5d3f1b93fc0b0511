// In real Chromium with OpenTelemetry's zone-less StackContextManager: spans nest for blocks started
// synchronously inside a block's body (the body runs inside its span). Across awaits a browser needs
// zone.js (@opentelemetry/context-zone).
import { asyncWith, resource } from "@asyncwith/core";
import { context } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { StackContextManager } from "@opentelemetry/sdk-trace-web";
import { expect, it } from "vitest";
import { instrument } from "../src/index.ts";

it("spans in the browser: named, nested (synchronously started), closed with the outcome", async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new StackContextManager().enable());
  const stop = instrument({ tracer: provider.getTracer("browser") });
  const named = (name: string) =>
    resource(
      () => name,
      () => {},
      name,
    );
  const error = new Error("no");
  try {
    await asyncWith(named("page"), () => asyncWith(named("save"), () => Promise.reject(error))).catch(() => {});
  } finally {
    stop();
    context.disable();
  }
  const spans = Object.fromEntries(exporter.getFinishedSpans().map((s) => [s.name, s]));
  expect(spans.save!.parentSpanContext?.spanId).toBe(spans.page!.spanContext().spanId);
  expect([spans.save!.status.code, spans.page!.status.code]).toEqual([2, 2]); // both failed with it
  expect("document" in globalThis).toBe(true); // really in the browser
});
