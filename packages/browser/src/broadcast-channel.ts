import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";
import { _api } from "./_shared.js";

/**
 * A `BroadcastChannel` for the block, closed on exit (an open channel keeps the page from the
 * back/forward cache and keeps its listeners alive).
 *
 * @example
 * await asyncWith(broadcastChannel("sync"), (channel) => channel.postMessage({ type: "saved" }));
 */
export function broadcastChannel(name: string): AsyncContextManager<BroadcastChannel, false> {
  if (typeof name !== "string") throw expected("broadcastChannel() to be given a channel name", name);
  return resource(
    () => new (_api("BroadcastChannel", globalThis.BroadcastChannel))(name),
    (channel) => channel.close(),
    "broadcastChannel",
  );
}
