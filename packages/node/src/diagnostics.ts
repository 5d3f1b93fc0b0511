// Every block, published on a diagnostics_channel TracingChannel exactly as Node's own
// `tracingChannel.tracePromise` publishes a traced promise, so APM tools that already subscribe to
// Node's tracing channels see asyncwith's blocks without our API. Costs nothing measurable while
// nobody subscribes: the observer is inactive then, and blocks take core's unwatched path.
import { AsyncLocalStorage } from "node:async_hooks";
import { tracingChannel } from "node:diagnostics_channel";
import { type Block, observe } from "@asyncwith/core";

/**
 * The TracingChannel's name. Its events carry the core `Block` (name, parent, times, outcome,
 * error) and follow `tracePromise`: `start` as the block begins, with the block — enter, body and
 * exit — running inside `start.runStores` (so a store bound to `start` is active in all three);
 * `end` once it is under way; then, when it is over, `error` if it failed (a failed enter too),
 * `asyncStart` and `asyncEnd`. Every `start` gets its `asyncEnd`. For `enter()`/`enterContext`,
 * whose body is the caller's own code, the stores wrap the enter only.
 *
 * @example
 * import { tracingChannel } from "node:diagnostics_channel";
 * tracingChannel(blockChannel).subscribe({ asyncEnd: (block) => log(block.name, block.outcome) });
 */
export const blockChannel = "asyncwith:block";

const channel = tracingChannel<unknown, Block>(blockChannel);
const subscribed = () =>
  channel.start.hasSubscribers ||
  channel.end.hasSubscribers ||
  channel.asyncStart.hasSubscribers ||
  channel.asyncEnd.hasSubscribers ||
  channel.error.hasSubscribers;

/** The current block, and the one around it: an attached block stops counting once it is over. */
interface Current {
  block: Block;
  outer: Current | undefined;
}
const running = new AsyncLocalStorage<Current>();
const _current = (): Current | undefined => {
  let at = running.getStore();
  while (at?.block.outcome !== undefined) at = at.outer;
  return at;
};

/** The block is over: what tracePromise publishes when its promise settles. */
const _settled = (block: Block) => {
  if (block.outcome === "error" || block.outcome === "replaced" || block.outcome === "enter-failed")
    channel.error.publish(block);
  channel.asyncStart.publish(block);
  channel.asyncEnd.publish(block);
};

observe({
  active: subscribed,
  // The body's own call is already inside its block's stores, which follow every await.
  run: (block, fn, step) =>
    step === "body"
      ? fn()
      : channel.start.runStores(block, () =>
          running.run({ block, outer: _current() }, () => {
            try {
              return fn();
            } finally {
              channel.end.publish(block);
            }
          }),
        ),
  entered: (block) => void (block.outcome === "enter-failed" && _settled(block)),
  exited: _settled,
  // Nested blocks find their parent across every await, also in an `await using` body.
  attach: (block) => running.enterWith({ block, outer: _current() }),
  current: () => _current()?.block,
});
