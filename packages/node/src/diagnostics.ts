// Every block, published on a diagnostics_channel TracingChannel, so APM tools that already
// subscribe to Node's tracing channels see asyncwith's blocks without our API. Costs nothing
// measurable while nobody subscribes: the observer is inactive then, and blocks take core's
// unwatched path.
import { AsyncLocalStorage } from "node:async_hooks";
import { tracingChannel } from "node:diagnostics_channel";
import { type Block, observe } from "@asyncwith/core";

/**
 * The TracingChannel's name. Its events carry the core `Block` (name, parent, times, outcome,
 * error): `start` when the enter begins, `end` when it ended, `asyncStart` when the exit begins,
 * `asyncEnd` when the block is over, and `error` (before `asyncEnd`) when it failed.
 *
 * @example
 * import { tracingChannel } from "node:diagnostics_channel";
 * tracingChannel(blockChannel).subscribe({ asyncEnd: (block) => log(block.name, block.outcome) });
 */
export const blockChannel = "asyncwith:block";

const channel = tracingChannel<unknown, Block>(blockChannel);
const running = new AsyncLocalStorage<Block>();
const subscribed = () =>
  channel.start.hasSubscribers ||
  channel.end.hasSubscribers ||
  channel.asyncStart.hasSubscribers ||
  channel.asyncEnd.hasSubscribers ||
  channel.error.hasSubscribers;

observe({
  active: subscribed,
  enter: (block) => channel.start.publish(block),
  entered: (block) => {
    if (block.outcome === "enter-failed") channel.error.publish(block);
    channel.end.publish(block);
  },
  exit: (block) => channel.asyncStart.publish(block),
  exited: (block) => {
    if (block.outcome === "error" || block.outcome === "replaced") channel.error.publish(block);
    channel.asyncEnd.publish(block);
  },
  // The body runs with its block as the current one, across every await: nested blocks get it as parent.
  run: (block, body) => running.run(block, body),
  current: () => running.getStore(),
});
