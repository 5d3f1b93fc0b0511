// Abort propagation from an outer signal to an inner scope's controller, run as a loop rather than
// a recursion: a listener that aborted its controller at once would nest one stack frame per scope
// (each abort runs the next scope's listener inside it), and about 1,100 nested scopes overflowed
// the stack, leaving their blocks unsettled. While one propagation runs, the ones it causes queue
// up and run in its loop: every scope is still aborted before the outermost abort() returns.

let queue: (() => void)[] | undefined;

/** Runs `abort` now, or — while another propagation is running — right after it, in its loop. */
export function propagate(abort: () => void): void {
  if (queue) return void queue.push(abort);
  queue = [abort];
  try {
    for (let i = 0; i < queue.length; i++) queue[i]!();
  } finally {
    queue = undefined;
  }
}
