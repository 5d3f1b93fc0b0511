import type { Failure } from "@asyncwith/core";

/**
 * What a bound body asks of its scope. `finish` is called once, with how the body ended (nothing
 * when it was read to its end), runs the exits and resolves with the error the client must see
 * instead of a clean end, if any; it never rejects. `disconnected` hears the client going away.
 */
export interface BodyOwner {
  finish(failure?: Failure): Promise<Failure | undefined>;
  disconnected(reason: unknown): void;
}

/**
 * The same response with its body wrapped, so that the scope's exits run when the body ends, not
 * when the handler returns: after the last chunk was read (the stream closes only once the exits
 * succeeded), when reading fails (the exits see that error; the client gets a cut-off body, never a
 * clean end), or when the client cancels it (the exits see a disconnect).
 */
export function _bindBody(response: Response, owner: BodyOwner): [Response, cutOff: (error: unknown) => void] {
  const reader = response.body!.getReader();
  let finishing: Promise<Failure | undefined> | undefined;
  const finish = (failure?: Failure) => (finishing ??= owner.finish(failure));
  let controls!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>(
    {
      start: (controller) => void (controls = controller),
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          await finish({ error });
          return controller.error(error); // the stream's own error, even when an exit suppressed it
        }
        if (!chunk.done) return controller.enqueue(chunk.value);
        const left = await finish();
        if (left) controller.error(left.error);
        else controller.close();
      },
      async cancel(reason) {
        const gone = _disconnect(reason);
        owner.disconnected(gone);
        await Promise.all([reader.cancel(reason).catch(() => {}), finish({ error: gone })]);
      },
    },
    { highWaterMark: 0 }, // read the source only as the client reads: nothing is produced ahead of it
  );
  // The scope exited before the body ended (its block failed after binding): nothing more is read.
  const cutOff = (error: unknown) => {
    finishing ??= Promise.resolve({ error });
    reader.cancel(error).catch(() => {});
    try {
      controls.error(error);
    } catch {} // already read to its end inside the block: nothing left to cut
  };
  return [new Response(body, response), cutOff];
}

/** The reason a scope's signal aborts with, and the failure its exits see, when the client leaves. */
function _disconnect(reason: unknown): Error {
  return new DOMException(
    `The client went away before the response body ended${reason === undefined ? "" : `: ${String(reason)}`}`,
    "AbortError",
  );
}
