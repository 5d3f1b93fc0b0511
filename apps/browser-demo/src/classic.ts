// The classic examples, in the browser: printed to the console and on the page.
import { aenter, asyncWith, contextManager } from "@asyncwith/core";

export async function classic(say: (line: string) => void): Promise<void> {
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
  try {
    await asyncWith(managed(), () => {
      say("within the manager");
      throw new Error("something went wrong in the body");
    });
  } catch (error) {
    say(`caught: ${(error as Error).message}`);
  }

  say("3. common mistakes and their errors");
  const mistakes: Array<[string, () => Promise<unknown>]> = [
    ["forgetting to await the factory", () => asyncWith(Promise.resolve(managed()) as never, () => {})],
    ["half a protocol", () => asyncWith({ [aenter]: () => 1 } as never, () => {})],
    [
      "entering a manager twice",
      async () => {
        const once = managed();
        await asyncWith(once, () => {});
        return asyncWith(once, () => {});
      },
    ],
  ];
  for (const [title, run] of mistakes) {
    await run().then(
      () => say(`${title}: !! no error`),
      (error: Error) => say(`${title}: ${error.name}: ${error.message}`),
    );
  }
}
