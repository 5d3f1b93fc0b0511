import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";
import { _api } from "./_shared.js";

/**
 * An object URL for a `Blob` (or `File`, `MediaSource`) for the block; revoked on exit, so the
 * blob can be garbage-collected.
 *
 * @example
 * await asyncWith(objectURL(file), (url) => showPreview(url));
 */
export function objectURL(blob: Blob | MediaSource): AsyncContextManager<string, false> {
  if (blob === null || typeof blob !== "object")
    throw expected("objectURL() to be given a Blob, File or MediaSource", blob);
  return resource(
    () => _api("URL.createObjectURL", URL.createObjectURL).call(URL, blob),
    (url) => URL.revokeObjectURL(url),
    "objectURL",
  );
}
