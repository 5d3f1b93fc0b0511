import { once } from "node:events";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { childProcess, ChildProcessError } from "../src/index.ts";
import { boom, liveInGroup } from "./helpers.ts";

describe("childProcess", () => {
  it("on success waits for the child to finish", async () => {
    const child = await asyncWith(childProcess("sh", ["-c", "exit 0"]), (child) => child);
    expect(child.exitCode).toBe(0);
  });

  it("throws ChildProcessError when the child fails after a successful block, unless check: false", async () => {
    const failing = asyncWith(childProcess("sh", ["-c", "exit 3"]), () => {});
    await expect(failing).rejects.toBeInstanceOf(ChildProcessError);
    await expect(failing).rejects.toMatchObject({ exitCode: 3, signalCode: null, message: "Expected sh to exit with code 0, got exit code 3; pass { check: false } to accept any exit." });
    const child = await asyncWith(childProcess("sh", ["-c", "exit 3"], { check: false }), (child) => child);
    expect(child.exitCode).toBe(3);
  });

  it("when the block throws: stops the whole process group (child and grandchildren) and rethrows the same error", async () => {
    const error = boom();
    let pid = 0;
    const result = asyncWith(childProcess("sh", ["-c", "sleep 1000 & sleep 1000 & echo started; wait"]), async (child) => {
      pid = child.pid!;
      await once(child.stdout!, "data");
      expect(liveInGroup(pid)).toHaveLength(3);
      throw error;
    });
    await expect(result).rejects.toBe(error);
    expect(liveInGroup(pid)).toEqual([]);
  });

  it("SIGKILLs a group that ignores SIGTERM once the grace period is over", async () => {
    let pid = 0;
    const result = asyncWith(childProcess("sh", ["-c", "trap '' TERM; sleep 1000 & echo started; wait"], { grace: 200 }), async (child) => {
      pid = child.pid!;
      await once(child.stdout!, "data");
      throw boom();
    });
    await expect(result).rejects.toThrow("boom");
    expect(liveInGroup(pid)).toEqual([]);
  });

  it("leaves no orphan on success either: a grandchild left running is stopped", async () => {
    const child = await asyncWith(childProcess("sh", ["-c", "sleep 1000 & echo started; exit 0"]), async (child) => {
      await once(child.stdout!, "data");
      expect(liveInGroup(child.pid!).length).toBeGreaterThanOrEqual(1); // the sleep, at least
      return child;
    });
    expect(liveInGroup(child.pid!)).toEqual([]);
  });

  it("fails the enter when the command cannot start, and never runs the block", async () => {
    let ran = false;
    await expect(asyncWith(childProcess("no-such-command-asyncwith"), () => (ran = true))).rejects.toMatchObject({ code: "ENOENT" });
    expect(ran).toBe(false);
  });

  it("rejects bad input at once, saying what it got", () => {
    expect(() => childProcess("")).toThrow('Expected childProcess() to be given a command name or path, got ""');
    expect(() => childProcess("ls", "-l" as never)).toThrow('Expected childProcess() args to be an array of strings, got "-l"');
    expect(() => childProcess("ls", [], { grace: Number.NaN })).toThrow("Expected childProcess() options.grace to be a non-negative number of milliseconds, got NaN");
  });
});
