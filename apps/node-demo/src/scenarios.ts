// Scenarios that the checks (test/checks.test.ts, `pnpm check`) run as real child processes and
// then inspect from outside: files on disk, processes, exit codes. Usage: node scenarios.js <name> <path>
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncWith } from "@asyncwith/core";
import {
  atomicWrite,
  childProcess,
  fileLock,
  openFile,
  readStream,
  shutdownScope,
  tempDir,
  tempFile,
  writeStream,
} from "@asyncwith/node";

const [name, path] = process.argv.slice(2) as [string, string];
const say = (line: string) => process.stdout.write(`${line}\n`);
const chunk = 64 * 1024;

const scenarios: Record<string, () => Promise<unknown>> = {
  /** The block throws halfway through an atomic write. */
  "atomic-throws": () =>
    asyncWith(atomicWrite(path), async (file) => {
      await file.write("NEW CONTENT, FIRST HAL");
      throw new Error("failed halfway through the new report");
    }),

  /** Rewrites the target forever, 1 MB of one letter per version; prints after each commit. */
  "atomic-loop": async () => {
    for (let version = 0; ; version++) {
      const letter = String.fromCharCode(65 + (version % 26));
      await asyncWith(atomicWrite(path), async (file) => {
        for (let at = 0; at < 16 * chunk; at += chunk) await file.write(letter.repeat(chunk));
      });
      say(`committed ${letter}`);
    }
  },

  /** Writes half of a new version, says so, then hangs until killed. */
  "atomic-hang": () =>
    asyncWith(atomicWrite(path), async (file) => {
      await file.write("Z".repeat(8 * chunk));
      say("half written");
      await new Promise(() => setInterval(() => {}, 1_000));
    }),

  /** One clean atomic write (which removes temp files that killed writers left). */
  "atomic-once": () => asyncWith(atomicWrite(path), (file) => file.writeFile("Y".repeat(16 * chunk))),

  /** A temp dir and a child process, open until a signal arrives. */
  signal: () =>
    asyncWith(shutdownScope(), (signal) =>
      asyncWith([tempDir("check-", { dir: path }), childProcess("sleep", ["1000"])], async ([dir, child]) => {
        say(JSON.stringify({ dir, child: child.pid }));
        await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      }),
    ),

  /** An uncaught exception in a callback while a temp dir and a child are open. */
  uncaught: () =>
    asyncWith(shutdownScope(), (signal) =>
      asyncWith([tempDir("check-", { dir: path }), childProcess("sleep", ["1000"])], async ([dir, child]) => {
        say(JSON.stringify({ dir, child: child.pid }));
        setImmediate(() => {
          throw new Error("an uncaught error in a callback");
        });
        await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
      }).finally(() => say("exits ran")),
    ),

  /** 1,000 failing blocks over every file manager; prints the open descriptors before and after. */
  "fd-leak": async () => {
    writeFileSync(join(path, "input"), "some data");
    const fail = () => Promise.reject(new Error("fail"));
    const blocks = [
      () => asyncWith(openFile(join(path, "input")), fail),
      () => asyncWith(writeStream(join(path, "out")), (out) => (out.write("x"), fail())),
      () => asyncWith(readStream(join(path, "input")), (input) => (input.resume(), fail())),
      () => asyncWith(atomicWrite(join(path, "target")), (file) => file.write("x").then(fail)),
      () => asyncWith(atomicWrite(join(path, "target"), { stream: true }), (out) => (out.write("x"), fail())),
      () => asyncWith(tempDir("fd-", { dir: path }), fail),
      () => asyncWith(tempFile({ dir: path }), fail),
      () => asyncWith(fileLock(join(path, "input")), fail),
    ];
    const count = () => readdirSync("/proc/self/fd").length;
    await blocks[0]!().catch(() => {}); // warm up: lazily opened internals are not leaks
    const before = count();
    let failed = 0;
    for (let i = 0; i < 1_000; i++) await blocks[i % blocks.length]!().catch(() => failed++);
    say(JSON.stringify({ before, after: count(), failed, left: readdirSync(path).sort() }));
  },
};

const scenario = scenarios[name];
if (!scenario)
  throw new TypeError(`Expected a scenario name (${Object.keys(scenarios).join(", ")}), got ${JSON.stringify(name)}`);
await scenario();
