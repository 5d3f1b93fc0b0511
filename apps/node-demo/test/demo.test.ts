// Runs the built demo as `npm run demo` does, in a real Node process, and checks what it shows.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const output = execFileSync(process.execPath, [main], { encoding: "utf8" });
const lines = output.split("\n").map((line) => line.trim());
const section = (n: number) =>
  lines.slice(
    lines.findIndex((l) => l.startsWith(`${n}.`)) + 1,
    lines.findIndex((l) => l.startsWith(`${n + 1}.`)),
  );

describe("npm run demo", () => {
  it("shows enter, then the body, then exit", () => {
    expect(section(1).filter(Boolean)).toEqual(["enter", "within the manager", "exit"]);
  });

  it("shows the exit running when the body throws, and the child failing with the error", () => {
    const part = section(2);
    expect(part).toContain("| enter");
    expect(part.indexOf("| exit")).toBeGreaterThan(part.indexOf("| within the manager"));
    expect(part).toContain("| (stderr) Error: something went wrong in the body");
    expect(part).toContain("the child exited with code 1: the error was not swallowed");
  });

  it("commits on success and rolls back on failure", () => {
    expect(section(3).filter(Boolean)).toEqual([
      "tx1: insert order 1 → committed; orders: 1",
      "tx2: insert order 2, then a duplicate (23505) → rolled back; orders: 1", // order 2 is not there
      "tx3 (await using, ok()): orders: 1, 3",
    ]);
  });

  it("gives a clear error for each common mistake", () => {
    const text = lines.slice(lines.findIndex((l) => l.startsWith("4."))).join("\n");
    expect(text).toContain("got a Promise (did you forget to await it?)");
    expect(text).toContain("got 42");
    expect(text).toContain("[aenter] but no [aexit]");
    expect(text).toContain(
      "Expected a fresh contextManager() manager, got one already entered: managers are single-use",
    );
    expect(text).toContain("generator didn't yield");
    expect(text).toContain("got a sync generator function");
    expect(text).toContain("ReferenceError: Expected a live AsyncExitStack for defer(), got a disposed one");
    expect(text).toContain(
      "Expected atomicWrite() to be given a path (a non-empty string or a file: URL), got an object",
    );
    expect(text).toContain('Expected childProcess() args to be an array of strings, got "-l"');
    expect(text).toContain("Expected a fresh tempDir() manager, got one already entered");
    expect(text).not.toContain("!! no error");
  });

  it("tells the real story: one step throws, the child, the lock and the temp files are gone, the report intact", () => {
    const part = lines
      .slice(
        lines.findIndex((l) => l.startsWith("5.")) + 1,
        lines.findIndex((l) => l.startsWith("6.")),
      )
      .filter(Boolean);
    expect(part).toEqual([
      "workspace: a fresh temp dir",
      'atomicWrite → report.txt: "report v1: 3 orders\\n"',
      "writeStream → events.log: 10000 lines, 108890 bytes on disk once the block ended",
      "holding report.txt.lock, a child process running, writing report v2 …",
      "the block threw: the summary step failed halfway",
      "child process still running: false",
      "lock still held: false",
      "temp files left behind: 0",
      'report.txt: "report v1: 3 orders\\n" (intact)',
      "workspace removed: true",
    ]);
  });

  it("traces the story: every block nested as it ran, with its outcome; the error as a tree", () => {
    const part = lines.slice(lines.findIndex((l) => l.startsWith("6.")) + 1).filter(Boolean);
    // Durations vary from run to run; names, nesting and outcomes do not.
    expect(
      output
        .split("\n")
        .slice(output.split("\n").findIndex((l) => l.startsWith("6.")) + 1)
        .filter(Boolean)
        .map((l) => l.replace(/^   /, "").replace(/ \([\d.]+ ms\)$/, "")),
    ).toEqual([
      "tempDir: ok",
      "  atomicWrite: ok",
      "  writeStream: ok",
      "  fileLock: error",
      "    childProcess: error",
      "      atomicWrite: error",
      "Error: the summary step failed halfway",
    ]);
    expect(part.some((l) => / \([\d.]+ ms\)$/.test(l))).toBe(true);
  });
});
