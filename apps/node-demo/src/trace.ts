// Part 6 of the demo: the story of part 5 again, as a trace — every block with its manager, its
// outcome and how long it took, nested as they ran — through core's observe() hook.
import { type Block, observe } from "@asyncwith/core";

/** Records the blocks `run` goes through, then prints them as an indented tree. */
export async function traced(say: (line: string) => void, run: () => Promise<void>): Promise<void> {
  const blocks: Block[] = [];
  const stop = observe({
    exited: (block) => void blocks.push(block),
    entered: (block) => void (block.outcome && blocks.push(block)),
  });
  try {
    await run();
  } finally {
    stop();
  }
  const depth = (block: Block): number => (block.parent ? depth(block.parent) + 1 : 0);
  for (const block of blocks.sort((a, b) => a.times.enter - b.times.enter)) {
    const ms = (block.times.exited! - block.times.enter).toFixed(1);
    say(`${"  ".repeat(depth(block))}${block.name}: ${block.outcome} (${ms} ms)`);
  }
}
