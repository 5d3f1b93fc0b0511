// Every manager refuses options it cannot read as meant, when it is made: options given as a
// number or a string, or a flag that is not a boolean, were silently ignored or misread.
import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import {
  atomicWrite,
  childProcess,
  fileLock,
  readStream,
  server,
  shutdownScope,
  tempDir,
  tempFile,
  writeStream,
} from "../src/index.ts";

const makers: [string, (options: never) => unknown, string[]][] = [
  [
    "atomicWrite()",
    (o) => atomicWrite("/tmp/asyncwith-options-test", o),
    ["fsync", "stream", "cleanStale", "replaceNonRegular"],
  ],
  ["childProcess()", (o) => childProcess("true", [], o), ["check", "interactive", "extendEnv"]],
  ["fileLock()", (o) => fileLock("/tmp/asyncwith-options-test", o), ["wait"]],
  ["readStream()", (o) => readStream("/tmp/asyncwith-options-test", o), []],
  ["server()", (o) => server(createServer(), o), []],
  ["shutdownScope()", (o) => shutdownScope(o), ["exit"]],
  ["tempDir()", (o) => tempDir("asyncwith-", o), ["keepOnError"]],
  ["tempFile()", (o) => tempFile(o), ["keepOnError"]],
  ["writeStream()", (o) => writeStream("/tmp/asyncwith-options-test", o), ["removeOnError"]],
];

describe("options that cannot be read as meant are refused when the manager is made", () => {
  for (const [where, make, flags] of makers) {
    it(`${where}: options that are not an object, and flags that are not booleans`, () => {
      expect(() => make(5_000 as never)).toThrow(`Expected ${where} options to be an object, got 5000`);
      expect(() => make(null as never)).toThrow(`Expected ${where} options to be an object, got null`);
      for (const flag of flags)
        expect(() => make({ [flag]: "no" } as never)).toThrow(
          `Expected ${where} options.${flag} to be a boolean, got "no"`,
        );
      expect(() => make({} as never)).not.toThrow();
    });
  }
});
