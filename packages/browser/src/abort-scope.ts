import { type AsyncContextManager, resource } from "@asyncwith/core";

/**
 * An `AbortSignal` for the block that aborts when the block ends: whatever the block started with
 * it (fetches, listeners added with `{ signal }`) stops. On failure the reason is the block's error.
 *
 * @example
 * await asyncWith(abortScope(), async (signal) => {
 *   window.addEventListener("resize", onResize, { signal }); // removed when the block ends
 *   await Promise.race([fetch(a, { signal }), fetch(b, { signal })]); // the loser is cancelled
 * });
 */
export function abortScope(): AsyncContextManager<AbortSignal, false> {
  const controller = new AbortController();
  return resource(
    () => controller.signal,
    (_signal, failure) => controller.abort(failure ? failure.error : undefined),
    "abortScope",
  );
}
