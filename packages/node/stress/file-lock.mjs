// Tries to break fileLock's "never two holders": `workers` processes each make `increments`
// locked read-modify-write increments of one counter file while a chaos loop SIGKILLs whoever
// holds the lock, `kills` times, at random moments, and freezes it (SIGSTOP for longer than the
// shortest `stale`, then SIGCONT) `freezes` times. A killed worker is replaced and carries on. The
// workers mix what can differ between holders: half lock with the shortest `stale` (2,000 ms), half
// with the default; every other one loads the package's CJS build instead of its ESM one; every
// third one races a worker thread of its own for the lock (one pid, two holders).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const worker = new URL("../test/fixtures/lock-stress-worker.mjs", import.meta.url).pathname;

/**
 * One run. Every increment appends a unique id (`slot.generation.i`). Resolves to its figures; `ok`
 * holds when no worker saw another inside, every reported increment is in the counter exactly once,
 * and the counter has no more than that, plus at most one per kill (a holder killed after its write
 * and before it could report it).
 */
export async function stress({ workers = 6, increments = 100, kills = 15, freezes = 0 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "asyncwith-lock-stress-"));
  const counter = join(dir, "counter");
  writeFileSync(counter, "");
  const done = new Set();
  const live = new Map(); // pid -> child
  let overlaps = 0;
  let failures = 0;
  let killed = 0;
  let frozen = 0;
  const reported = (slot) => [...done].filter((id) => id.startsWith(`${slot}.`)).length;
  const start = (slot, generation) => {
    const left = increments - reported(slot);
    if (left <= 0) return Promise.resolve();
    const mix = [slot % 2 ? "2000" : "10000", slot % 4 < 2 ? "esm" : "cjs", slot % 3 ? "" : "threads"];
    const child = spawn(process.execPath, [worker, dir, `${slot}.${generation}`, String(left), ...mix], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    live.set(child.pid, child);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const [what, id] = line.split(" ");
      if (what === "done") done.add(id);
      if (what === "overlap") overlaps++;
    });
    return new Promise((resolve) =>
      child.on("close", (code, signal) => {
        live.delete(child.pid);
        if (signal === "SIGKILL") return resolve(start(slot, generation + 1));
        if (code !== 0) failures++;
        resolve();
      }),
    );
  };
  let finished = false;
  const running = Promise.all(Array.from({ length: workers }, (_, slot) => start(slot, 0))).then(
    () => (finished = true),
  );
  const budget = increments * workers;
  const strikes = kills + freezes;
  while (!finished && killed + frozen < strikes) {
    // Spread the strikes over the run: wait for the next share of the increments, then strike.
    const goal = ((killed + frozen + 0.2 + Math.random() * 0.6) / strikes) * budget;
    while (!finished && done.size < goal) await new Promise((resolve) => setTimeout(resolve, 1));
    const pid = holder(join(dir, "counter.lock"));
    if (!pid || !live.has(pid)) continue;
    if (frozen < freezes && (killed >= kills || Math.random() < freezes / strikes)) {
      // Frozen longer than the shortest stale: alive, so on this host never taken over.
      live.get(pid).kill("SIGSTOP");
      frozen++;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      live.get(pid)?.kill("SIGCONT");
    } else (live.get(pid).kill("SIGKILL"), killed++);
  }
  await running;
  const ids = readFileSync(counter, "utf8").split("\n").filter(Boolean);
  const unique = new Set(ids);
  const missing = [...done].filter((id) => !unique.has(id)).length;
  const unreported = [...unique].filter((id) => !done.has(id)).length;
  rmSync(dir, { recursive: true, force: true });
  const ok = overlaps === 0 && failures === 0 && missing === 0 && unique.size === ids.length && unreported <= killed;
  return {
    ok,
    workers,
    increments,
    kills: killed,
    freezes: frozen,
    counter: ids.length,
    reported: done.size,
    unreported,
    missing,
    doubled: ids.length - unique.size,
    overlaps,
    failures,
  };
}

/** The pid in the newest unreleased `held.N`, if any. */
function holder(lockPath) {
  try {
    const names = readdirSync(lockPath);
    const newest = Math.max(0, ...names.map((n) => Number(/^held\.(\d+)$/.exec(n)?.[1] ?? 0)));
    if (!newest || names.includes(`released.${newest}`)) return undefined;
    return JSON.parse(readFileSync(join(lockPath, `held.${newest}`), "utf8")).pid;
  } catch {
    return undefined;
  }
}
