import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { asyncWith, exitWithin, TimeoutError } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { childProcess, ChildProcessError } from "../src/index.ts";
import { boom, liveInGroup } from "./helpers.ts";

const orphanParent = fileURLToPath(new URL("./fixtures/orphan-parent.mjs", import.meta.url));
const exitAfterReap = fileURLToPath(new URL("./fixtures/exit-after-reap.mjs", import.meta.url));

/** Polls a condition of the real system (processes ending), up to a bound: not a sleep. */
async function eventually(done: () => boolean, ms = 5_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 10)))
    if (done()) return true;
  return done();
}

/** [process group, session] of a running process, from /proc. */
function groupAndSession(pid: number): [number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // [state, ppid, pgrp, session, ...]
  return [Number(fields[2]), Number(fields[3])];
}

describe("childProcess", () => {
  it("on success waits for the child to finish", async () => {
    const child = await asyncWith(childProcess("sh", ["-c", "exit 0"]), (child) => child);
    expect(child.exitCode).toBe(0);
  });

  it("throws ChildProcessError when the child fails after a successful block, unless check: false", async () => {
    const failing = asyncWith(childProcess("sh", ["-c", "exit 3"]), () => {});
    await expect(failing).rejects.toBeInstanceOf(ChildProcessError);
    await expect(failing).rejects.toMatchObject({
      exitCode: 3,
      signalCode: null,
      message: "Expected sh to exit with code 0, got exit code 3; pass { check: false } to accept any exit.",
    });
    const child = await asyncWith(childProcess("sh", ["-c", "exit 3"], { check: false }), (child) => child);
    expect(child.exitCode).toBe(3);
  });

  it("when the block throws: stops the whole process group (child and grandchildren) and rethrows the same error", async () => {
    const error = boom();
    let pid = 0;
    const result = asyncWith(
      childProcess("sh", ["-c", "sleep 1000 & sleep 1000 & echo started; wait"]),
      async (child) => {
        pid = child.pid!;
        await once(child.stdout!, "data");
        expect(liveInGroup(pid)).toHaveLength(3);
        throw error;
      },
    );
    await expect(result).rejects.toBe(error);
    expect(liveInGroup(pid)).toEqual([]);
  });

  it("SIGKILLs a group that ignores SIGTERM once the grace period is over", async () => {
    let pid = 0;
    const result = asyncWith(
      childProcess("sh", ["-c", "trap '' TERM; sleep 1000 & echo started; wait"], { grace: 200 }),
      async (child) => {
        pid = child.pid!;
        await once(child.stdout!, "data");
        throw boom();
      },
    );
    await expect(result).rejects.toThrow("boom");
    expect(liveInGroup(pid)).toEqual([]);
  });

  it("an exit deadline (exitWithin) cuts the waits short: the group is SIGKILLed at once, on failure and on success", async () => {
    for (const fails of [true, false]) {
      let pid = 0;
      const result = asyncWith(
        exitWithin(
          100,
          childProcess("sh", ["-c", "trap '' TERM; sleep 1000 & echo started; wait"], { grace: 600_000 }),
        ),
        async (child) => {
          pid = child.pid!;
          await once(child.stdout!, "data");
          if (fails) throw boom();
        },
      );
      await expect(result).rejects.toBeInstanceOf(TimeoutError); // the deadline passed: the exit was abandoned…
      expect(await eventually(() => liveInGroup(pid).length === 0)).toBe(true); // …and it killed the group, not waited 10 minutes
    }
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
    await expect(asyncWith(childProcess("no-such-command-asyncwith"), () => (ran = true))).rejects.toMatchObject({
      code: "ENOENT",
    });
    expect(ran).toBe(false);
  });

  it("rejects bad input at once, saying what it got", () => {
    expect(() => childProcess("")).toThrow('Expected childProcess() to be given a command name or path, got ""');
    expect(() => childProcess("ls", "-l" as never)).toThrow(
      'Expected childProcess() args to be an array of strings, got "-l"',
    );
    expect(() => childProcess("ls", [], { grace: Number.NaN })).toThrow(
      "Expected childProcess() options.grace to be a non-negative number of milliseconds, got NaN",
    );
  });

  for (const mode of ["exit", "uncaught", "SIGTERM", "SIGHUP"]) {
    it(`leaves no orphan when the parent dies without unwinding (${mode === "exit" ? "process.exit() in the block" : mode === "uncaught" ? "an uncaught error" : `a fatal ${mode}`})`, async () => {
      const parent = spawn(process.execPath, [orphanParent, mode], { stdio: ["ignore", "pipe", "ignore"] });
      const [line] = await once(parent.stdout!, "data");
      const group = Number(String(line).trim()); // its shell had started the grandchild by then
      const [code, signal] = await once(parent, "exit");
      try {
        expect(mode.startsWith("SIG") ? signal : code).toBe(mode.startsWith("SIG") ? mode : mode === "exit" ? 0 : 1);
        expect(await eventually(() => liveInGroup(group).length === 0)).toBe(true);
      } finally {
        for (const pid of liveInGroup(group)) process.kill(pid, "SIGKILL"); // only if the test failed
      }
    });
  }

  for (const company of ["signal-exit", "cjs-copy"])
    for (const signal of ["SIGTERM", "SIGINT"]) {
      it(`a fatal ${signal} still ends the process and its children with ${company === "signal-exit" ? "signal-exit's hook in the process (ora, execa bring it)" : "the package's CJS copy holding a child too"}`, async () => {
        const parent = spawn(process.execPath, [orphanParent, signal, company], {
          stdio: ["ignore", "pipe", "ignore"],
        });
        const [line] = await once(parent.stdout!, "data");
        const groups = String(line).trim().split(" ").map(Number);
        const [, died] = await once(parent, "exit"); // it kept running before: each hook left the signal to the other
        try {
          expect(died).toBe(signal);
          expect(await eventually(() => groups.every((group) => liveInGroup(group).length === 0))).toBe(true);
        } finally {
          for (const group of groups) for (const pid of liveInGroup(group)) process.kill(pid, "SIGKILL");
        }
      });
    }

  it("interactive: true keeps the child in this process's group and session (terminal prompts work); the default gives it its own", async () => {
    const [ours, sessionOurs] = groupAndSession(process.pid);
    await asyncWith(childProcess("sleep", ["1000"], { interactive: true }), (child) => {
      expect(groupAndSession(child.pid!)).toEqual([ours, sessionOurs]);
      throw boom(); // and the exit still stops it
    }).catch(() => {});
    await asyncWith(childProcess("sleep", ["1000"]), (child) => {
      expect(groupAndSession(child.pid!)).toEqual([child.pid, child.pid]);
      throw boom();
    }).catch(() => {});
  });

  it("by default stays in the terminal's session when stdin is a terminal (a real pty from script(1)), and leaves it otherwise", async () => {
    const fixture = fileURLToPath(new URL("./fixtures/interactive-default.mjs", import.meta.url));
    const report = async (command: string, args: string[]) => {
      const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
      let out = "";
      child.stdout!.on("data", (chunk) => (out += chunk));
      await once(child, "close");
      return JSON.parse(/\{.*\}/.exec(out)![0]);
    };
    expect(await report("script", ["-qec", `${process.execPath} ${fixture}`, "/dev/null"])).toEqual({
      tty: true,
      sameSession: true,
    });
    expect(await report(process.execPath, [fixture])).toEqual({ tty: false, sameSession: false });
  });

  it("output the block never reads cannot hang the exit: 50 MB of unread stdout, on success and on failure", async () => {
    const big = ["-c", "head -c 50000000 /dev/zero; head -c 50000000 /dev/zero >&2"];
    const child = await asyncWith(childProcess("sh", big), (child) => child);
    expect(child.exitCode).toBe(0);
    const error = boom();
    await expect(asyncWith(childProcess("sh", big), () => Promise.reject(error))).rejects.toBe(error);
  });

  it("env adds to process.env by default; extendEnv: false replaces it", async () => {
    const print = (options: object) =>
      asyncWith(childProcess("/bin/sh", ["-c", 'echo "$HOME|$ASYNCWITH_X"'], options), async (child) =>
        String((await once(child.stdout!, "data"))[0]).trim(),
      );
    expect(await print({ env: { ASYNCWITH_X: "1" } })).toBe(`${process.env.HOME}|1`);
    expect(await print({ env: { ASYNCWITH_X: "1" }, extendEnv: false })).toBe("|1");
  });
});

describe("childProcess never signals a group that is no longer ours (#23)", () => {
  /**
   * Starts an unrelated group leader (a detached `sleep`) that gets the pid `pid`, as the kernel
   * would hand it out once the number is free: the next pid is set through ns_last_pid (root, as CI
   * runs), and tried again if another process on the machine took the number first — often, while
   * other suites fork (a PostgreSQL server forks a backend per connection): 50 tries ran out once.
   */
  async function squatter(pid: number) {
    for (let attempt = 0; attempt < 1000; attempt++) {
      writeFileSync("/proc/sys/kernel/ns_last_pid", String(pid - 1));
      const victim = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
      await once(victim, "spawn");
      if (victim.pid === pid) return victim;
      victim.kill("SIGKILL");
    }
    throw new Error(`Expected to start a process with pid ${pid} for the test, got another pid 1000 times`);
  }

  for (const path of ["success", "failure"] as const)
    it(`after the child and its group are gone, its number reused by an unrelated group leader: nothing is signalled (${path})`, async () => {
      let victim: ReturnType<typeof spawn> | undefined;
      const error = boom();
      const run = asyncWith(childProcess("sh", ["-c", "exit 0"], { check: false }), async (child) => {
        if (child.exitCode === null) await once(child, "exit");
        victim = await squatter(child.pid!); // the child's number, now someone else's group
        if (path === "failure") throw error;
      });
      try {
        if (path === "failure") await expect(run).rejects.toBe(error);
        else await run;
        expect([victim!.exitCode, victim!.signalCode]).toEqual([null, null]);
        process.kill(victim!.pid!, 0); // still there
      } finally {
        victim?.kill("SIGKILL");
      }
    });

  it("the exit hook (process.exit() in the block) leaves a reused number alone too", async () => {
    const parent = spawn(process.execPath, [exitAfterReap], { stdio: ["pipe", "pipe", "inherit"] });
    const [line] = await once(parent.stdout!, "data");
    const victim = await squatter(Number(String(line).trim()));
    try {
      parent.stdin!.write("go\n");
      await once(parent, "close");
      expect([victim.exitCode, victim.signalCode]).toEqual([null, null]);
      process.kill(victim.pid!, 0);
    } finally {
      victim.kill("SIGKILL");
    }
  });
});
