// Never two holders across processes, with holders SIGKILLed at random — and each killed holder's
// lock released by the server (its session ends with the process).
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { client, config } from "./pg.ts";

const worker = fileURLToPath(new URL("./fixtures/lock-worker.mjs", import.meta.url));

it("6 processes × 100 locked increments of one row, the holder SIGKILLed at random: exact, no overlap, locks released by the server", async () => {
  const admin = await client();
  await admin.query(
    "drop table if exists counter; create table counter (id int primary key, ids text[] not null); insert into counter values (1, '{}')",
  );
  const dir = mkdtempSync(join(tmpdir(), "asyncwith-pg-stress-"));
  const done = new Set<string>();
  const live = new Map<number, ReturnType<typeof spawn>>();
  const killed = new Set<number>();
  let overlaps = 0;
  let failures = 0;
  const releases: number[] = [];
  const reported = (slot: number) => [...done].filter((id) => id.startsWith(`${slot}.`)).length;
  const start = (slot: number, generation: number): Promise<void> => {
    const left = 100 - reported(slot);
    if (left <= 0) return Promise.resolve();
    const child = spawn(process.execPath, [worker, config().host, dir, `${slot}.${generation}`, String(left)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    live.set(child.pid!, child);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const [what, id] = line.split(" ");
      if (what === "done") done.add(id!);
      // A marker left by a holder killed before this report is no overlap: it runs no more code.
      if (what === "suspect" && !killed.has(Number(id))) overlaps++;
    });
    return new Promise((resolve) =>
      child.on("close", (code, signal) => {
        live.delete(child.pid!);
        if (signal === "SIGKILL") return resolve(start(slot, generation + 1));
        if (code !== 0) failures++;
        resolve();
      }),
    );
  };
  let finished = false;
  const running = Promise.all(Array.from({ length: 6 }, (_, slot) => start(slot, 0))).then(() => (finished = true));
  const holder = async () =>
    (
      await admin.query(
        "select a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted",
      )
    ).rows[0]?.name as string | undefined;
  let kills = 0;
  while (!finished && kills < 12) {
    const goal = ((kills + 0.2 + Math.random() * 0.6) / 12) * 600;
    while (!finished && done.size < goal) await new Promise((r) => setTimeout(r, 1));
    const name = await holder();
    const pid = Number(name?.replace("worker-", ""));
    if (!live.has(pid)) continue;
    killed.add(pid);
    live.get(pid)!.kill("SIGKILL");
    kills++;
    const killedAt = performance.now();
    while ((await holder()) === name) await new Promise((r) => setTimeout(r, 1)); // until the server lets go
    releases.push(performance.now() - killedAt);
  }
  await running;
  const ids: string[] = (await admin.query("select ids from counter where id = 1")).rows[0].ids;
  const unique = new Set(ids);
  console.log(
    `advisory-lock stress: ${kills} holders killed; the server released each lock within ${Math.max(...releases).toFixed(0)} ms at most`,
  );
  expect({
    overlaps,
    failures,
    doubled: ids.length - unique.size,
    lost: [...done].filter((id) => !unique.has(id)).length,
  }).toEqual({ overlaps: 0, failures: 0, doubled: 0, lost: 0 });
  expect(ids.length - done.size).toBeLessThanOrEqual(kills); // committed by a holder killed before it could report
  expect(kills).toBeGreaterThan(0);
}, 120_000);
