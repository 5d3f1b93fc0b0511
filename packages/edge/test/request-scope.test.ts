import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { asyncWith, type ExitOptions, exitWithin, TimeoutError } from "@asyncwith/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AsyncExitStack } from "@asyncwith/core";
import { requestScope } from "../src/index.ts";

afterEach(() => vi.restoreAllMocks());

describe("requestScope (in workerd)", () => {
  it("runs awaited exits before the block's result, background ones only after it, via waitUntil", async () => {
    const ctx = createExecutionContext();
    const events: string[] = [];
    const result = await asyncWith(requestScope(ctx), (scope) => {
      expect(scope).toBeInstanceOf(AsyncExitStack);
      scope.defer(() => void events.push("awaited exit"));
      scope.deferBackground(async () => void events.push("background 1"));
      scope.deferBackground((what: string) => void events.push(what), "background 2");
      return "response";
    });
    expect(result).toBe("response");
    expect(events).toEqual(["awaited exit"]); // the response did not wait for the background
    await waitOnExecutionContext(ctx);
    expect(events).toEqual(["awaited exit", "background 2", "background 1"]); // LIFO
  });

  it("passes an exit deadline (exitWithin) to its awaited exits, as an AsyncExitStack does", async () => {
    const ctx = createExecutionContext();
    const hurried: unknown[] = [];
    const block = asyncWith(exitWithin(5, requestScope(ctx)), (scope) => {
      // An awaited exit that waits until it is told to hurry (a release cut short).
      scope.push(
        (_failure, options?: ExitOptions) =>
          new Promise<void>((resolve) => {
            if (!options?.signal) return resolve();
            options.signal.addEventListener("abort", () => (hurried.push(options.signal!.reason), resolve()));
          }),
      );
    });
    await expect(block).rejects.toBeInstanceOf(TimeoutError);
    await expect.poll(() => hurried.length).toBe(1);
    expect(hurried[0]).toBeInstanceOf(TimeoutError);
    await waitOnExecutionContext(ctx);
  });

  it("runs background cleanups when the block throws, and the same error surfaces", async () => {
    const ctx = createExecutionContext();
    const error = new Error("handler failed");
    let ran = false;
    await expect(
      asyncWith(requestScope(ctx), (scope) => {
        scope.deferBackground(() => void (ran = true));
        throw error;
      }),
    ).rejects.toBe(error);
    await waitOnExecutionContext(ctx);
    expect(ran).toBe(true);
  });

  it("reports a failing background cleanup with console.error and context, throws nothing, and runs the rest", async () => {
    const ctx = createExecutionContext();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const failure = new Error("analytics down");
    let after = false;
    await asyncWith(requestScope(ctx, "GET /report"), (scope) => {
      scope.deferBackground(() => void (after = true));
      scope.deferBackground(() => Promise.reject(failure));
    });
    await waitOnExecutionContext(ctx);
    expect(after).toBe(true);
    expect(logged).toHaveBeenCalledWith("[asyncwith] background cleanup 1 of 2 for GET /report failed:", failure);
  });

  it("runs background cleanups concurrently: one that hangs starves none of the others", async () => {
    const ctx = createExecutionContext();
    let ran!: () => void;
    const otherRan = new Promise<void>((resolve) => (ran = resolve));
    let release!: () => void;
    const hanging = new Promise<void>((resolve) => (release = resolve));
    await asyncWith(requestScope(ctx), (scope) => {
      scope.deferBackground(() => ran());
      scope.deferBackground(() => hanging); // starts first (last registered), and does not end
    });
    await otherRan; // never resolved before: the jobs ran one after another
    release();
    await waitOnExecutionContext(ctx);
  });

  it("also schedules the background when used with await using (disposeAsync)", async () => {
    const ctx = createExecutionContext();
    let ran = false;
    const scope = requestScope(ctx);
    {
      await using _ = scope;
      scope.deferBackground(() => void (ran = true));
    }
    await waitOnExecutionContext(ctx);
    expect(ran).toBe(true);
  });

  it("refuses background work after the scope exited, and a missing ctx, clearly", async () => {
    const scope = requestScope(createExecutionContext());
    await asyncWith(scope, () => {});
    expect(() => scope.deferBackground(() => {})).toThrow("Expected a live request scope, got one that has exited");
    expect(() => requestScope(undefined as never)).toThrow(
      "Expected an ExecutionContext (the handler's third argument), got undefined",
    );
  });
});
