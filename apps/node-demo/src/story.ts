// Part 5 of the demo: a short real story with @asyncwith/node. A report is written atomically, a
// log is streamed, then under a file lock and with a child process running, an update of the
// report fails halfway: the demo shows what was cleaned up and that the report is intact.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { asyncWith } from "@asyncwith/core";
import { atomicWrite, childProcess, fileLock, tempDir, writeStream } from "@asyncwith/node";

export async function story(say: (line: string) => void, caught: (error: unknown) => void = () => {}): Promise<void> {
  let workspace = "";
  await asyncWith(tempDir("asyncwith-demo-"), async (dir) => {
    workspace = dir;
    const report = join(dir, "report.txt");
    say(`workspace: a fresh temp dir`);

    await asyncWith(atomicWrite(report), (file) => file.writeFile("report v1: 3 orders\n"));
    say(`atomicWrite → report.txt: ${JSON.stringify(readFileSync(report, "utf8"))}`);

    await asyncWith(writeStream(join(dir, "events.log")), (out) => {
      for (let i = 0; i < 10_000; i++) out.write(`event ${i}\n`); // no await: the exit flushes it all
    });
    say(
      `writeStream → events.log: 10000 lines, ${statSync(join(dir, "events.log")).size} bytes on disk once the block ended`,
    );

    let childPid = 0;
    try {
      await asyncWith(
        [fileLock(report), childProcess(process.execPath, ["-e", "setInterval(() => {}, 1000)"]), atomicWrite(report)],
        async ([lock, child, file]) => {
          childPid = child.pid!;
          say(`holding ${lock.lockPath.slice(dir.length + 1)}, a child process running, writing report v2 …`);
          await file.writeFile("report v2: 4 ord");
          throw new Error("the summary step failed halfway");
        },
      );
    } catch (error) {
      say(`the block threw: ${(error as Error).message}`);
      caught(error);
    }
    say(`child process still running: ${isRunning(childPid)}`);
    say(`lock still held: ${lockHeld(`${report}.lock`)}`);
    say(`temp files left behind: ${readdirSync(dir).filter((name) => name.endsWith(".tmp")).length}`);
    say(`report.txt: ${JSON.stringify(readFileSync(report, "utf8"))} (intact)`);
  });
  say(`workspace removed: ${!exists(workspace)}`);
}

/** fileLock's directory stays; the lock is held while its newest epoch has no `released.N`. */
function lockHeld(lockPath: string): boolean {
  const names = readdirSync(lockPath);
  const newest = Math.max(0, ...names.map((name) => Number(/^held\.(\d+)$/.exec(name)?.[1] ?? 0)));
  return newest > 0 && !names.includes(`released.${newest}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
