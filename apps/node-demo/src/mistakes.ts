// The common mistakes, each with the error asyncwith gives for it.
import { aenter, AsyncExitStack, asyncWith, contextManager } from "@asyncwith/core";
import { atomicWrite, childProcess, tempDir } from "@asyncwith/node";
import { managed } from "./managed.js";

const quiet = () => {};
const connect = async () => managed(quiet);

export const mistakes: Array<[title: string, run: () => Promise<unknown>]> = [
  ["forgetting to await the function that makes the manager", () => asyncWith(connect() as never, quiet)],
  ["passing something that is not a manager", () => asyncWith(42 as never, quiet)],
  ["implementing only half of the protocol", () => asyncWith({ [aenter]: quiet } as never, quiet)],
  [
    "entering the same contextManager() instance twice",
    async () => {
      const once = managed(quiet);
      await asyncWith(once, quiet);
      return asyncWith(once, quiet);
    },
  ],
  ["a generator that never yields", () => asyncWith(contextManager(async function* () {})(), quiet)],
  ["giving contextManager() a sync generator", async () => contextManager(function* () {} as never)],
  [
    "adding to an exit stack after it was closed",
    async () => {
      const stack = new AsyncExitStack();
      await stack.aclose();
      stack.defer(quiet);
    },
  ],
  ["giving a file manager something that is not a path", async () => atomicWrite({ path: "report.txt" } as never)],
  ["passing a child's arguments as one string", async () => childProcess("ls", "-l" as never)],
  [
    "reusing a tempDir() manager for a second block",
    async () => {
      const dir = tempDir();
      await asyncWith(dir, quiet);
      return asyncWith(dir, quiet);
    },
  ],
];
