// The classic examples, replayed inside the Worker: the lines go back in the response.
import { aenter, asyncWith, contextManager } from "@asyncwith/core";

export async function classic(): Promise<string[]> {
  const lines: string[] = [];
  const say = (line: string) => lines.push(line);
  const managed = contextManager(async function* () {
    say("enter");
    try {
      yield;
    } finally {
      say("exit");
    }
  });

  say("1. enter → body → exit");
  await asyncWith(managed(), () => say("within the manager"));
  say("2. the body throws: the exit still runs, and the error still surfaces");
  await asyncWith(managed(), () => {
    say("within the manager");
    throw new Error("something went wrong in the body");
  }).catch((error: Error) => say(`caught: ${error.message}`));
  say("3. common mistakes and their errors");
  const mistakes: Array<[string, () => Promise<unknown>]> = [
    ["forgetting to await the factory", () => asyncWith(Promise.resolve(managed()) as never, () => {})],
    ["half a protocol", () => asyncWith({ [aenter]: () => 1 } as never, () => {})],
  ];
  for (const [title, run] of mistakes)
    await run().then(
      () => say(`${title}: !! no error`),
      (e: Error) => say(`${title}: ${e.name}: ${e.message}`),
    );
  return lines;
}
