import { contextManager } from "@asyncwith/core";

/** Python's classic example: print on enter and on exit, whatever the block does. */
export const managed = contextManager(async function* (say: (line: string) => void) {
  say("enter");
  try {
    yield;
  } finally {
    say("exit");
  }
});
