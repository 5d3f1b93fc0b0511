// The README's safe patterns under attack (#22): processes incrementing one row under advisoryLock
// — the writes in a transaction on the lock's own session, or on another connection behind
// checkFence — while holders' sessions are terminated at random and the server restarts once per
// run. On its own cluster: a restart ends every session.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { _key } from "../src/advisory-lock.ts";
import { restartCluster, startCluster } from "./cluster.mjs";

const worker = fileURLToPath(new URL("./fixtures/lost-lock-worker.mjs", import.meta.url));
const cluster = startCluster();
afterAll(() => cluster.stop());

const RUNS = 5;
const WORKERS = 4;
const INCREMENTS = 25;

async function admin(): Promise<pg.Client> {
  for (;;) {
    const c = new pg.Client(cluster.config);
    c.on("error", () => {}); // ended by the restart: a new one is opened
    try {
      await c.connect();
      return c;
    } catch {
      await c.end().catch(() => {});
    }
  }
}

/** One run: every worker's increments, with terminations and a restart along the way. */
async function run(mode: "own" | "fenced"): Promise<{
  lost: number;
  doubled: number;
  terminated: number;
  unaware: number;
  failures: number;
}> {
  let c = await admin();
  await c.query("drop table if exists counter; create table counter (id int primary key, ids text[] not null)");
  await c.query("insert into counter values (1, '{}')");
  const done = new Set<string>();
  const ends: { backend: number; aborted: boolean; ok: boolean }[] = [];
  let failures = 0;
  const exited = Array.from({ length: WORKERS }, (_, slot) => {
    const child = spawn(process.execPath, [worker, cluster.config.host, String(slot), String(INCREMENTS), mode], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const [what, id, backend, aborted, outcome] = line.split(" ");
      if (what === "done") done.add(id!);
      if (what === "end") ends.push({ backend: Number(backend), aborted: aborted === "1", ok: outcome === "ok" });
    });
    return new Promise<void>((resolve) => child.on("close", (code) => (code === 0 || failures++, resolve())));
  });
  let finished = false;
  const all = Promise.all(exited).then(() => (finished = true));
  const key = _key("torture").toString();
  const terminated: number[] = [];
  const total = WORKERS * INCREMENTS;
  const restartAt = Math.floor(total * (0.3 + Math.random() * 0.4));
  let restarted = false;
  while (!finished) {
    const next = done.size + 2 + Math.floor(Math.random() * 6); // a few increments between attacks
    while (!finished && done.size < next) await new Promise((r) => setTimeout(r, 1)); // polls the workers' reports
    if (finished) break;
    if (!restarted && done.size >= restartAt) {
      restarted = true;
      restartCluster(cluster.config);
      c = await admin();
      continue;
    }
    // Exactly the holder of the moment, in one statement: its block is necessarily inside.
    const { rows } = await c
      .query(
        // OFFSET 0 keeps the filter in the subquery: terminate only what it found, never a row it skips.
        "select pid from (select pid from pg_locks where locktype = 'advisory' and granted and ((classid::bigint << 32) | objid::bigint) = $1::bigint offset 0) holder where pg_terminate_backend(pid)",
        [key],
      )
      .catch(() => ({ rows: [] as { pid: number }[] }));
    terminated.push(...rows.map((r) => r.pid));
  }
  await all;
  const ids: string[] = (await c.query("select ids from counter where id = 1")).rows[0].ids;
  await c.end();
  const unique = new Set(ids);
  // Each terminated session's last block must have seen its signal abort — unless that block ended
  // ok: its exit's unlock then succeeded on the session, so the session was alive to the block's
  // end and the termination landed after it (the holder found in pg_locks was finishing its unlock).
  const unaware = terminated.filter((pid) => {
    const last = ends.filter((e) => e.backend === pid).at(-1);
    return !last?.aborted && !last?.ok;
  }).length;
  return {
    lost: [...done].filter((id) => !unique.has(id)).length + (total - done.size),
    doubled: ids.length - unique.size,
    terminated: terminated.length,
    unaware,
    failures,
  };
}

for (const [mode, pattern] of [
  ["own", "the writes in a transaction on the lock's own session"],
  ["fenced", "the writes on another connection, in a transaction that calls checkFence first"],
] as const)
  it(`the safe pattern holds (${pattern}): ${RUNS} runs × ${WORKERS} processes × ${INCREMENTS} increments, holders' sessions terminated at random and the server restarted once a run: 0 lost, 0 doubled, every lost lock seen`, async () => {
    const results: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < RUNS; i++) results.push(await run(mode));
    const sum = (k: keyof (typeof results)[0]) => results.reduce((n, r) => n + r[k], 0);
    console.log(
      `lost-lock torture (${pattern}): ${RUNS} runs, ${sum("terminated")} holders' sessions terminated, ${RUNS} restarts; lost ${sum("lost")}, doubled ${sum("doubled")}, blocks unaware of their lost lock ${sum("unaware")}`,
    );
    expect({ lost: sum("lost"), doubled: sum("doubled"), unaware: sum("unaware"), failures: sum("failures") }).toEqual({
      lost: 0,
      doubled: 0,
      unaware: 0,
      failures: 0,
    });
    expect(sum("terminated")).toBeGreaterThan(0);
  }, 300_000);
