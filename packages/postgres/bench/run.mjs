// `pnpm bench`: transaction() and advisoryLock() as ratios to the same statements written by hand,
// on PGlite and on a real PostgreSQL server (a throw-away cluster started here). `--quick` runs a
// shorter measurement. Timings are printed, never enforced.
import { mkdirSync, writeFileSync } from "node:fs";
import { asyncWith } from "@asyncwith/core";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { comparer } from "@asyncwith/dev/compare";
import { startCluster } from "../test/cluster.mjs";
import { advisoryLock, transaction } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const compare = comparer({ quick });
const tables = [];
const table = async (title, cases, options) => tables.push({ title, rows: await compare(title, cases, options) });

async function suite(label, db) {
  await db.query("drop table if exists bench_rows");
  await db.query("create table bench_rows (id serial primary key, v int not null)");
  await table(
    `transaction() + one INSERT on ${label}, as a ratio to BEGIN/INSERT/COMMIT by hand`,
    {
      "BEGIN / INSERT / COMMIT in try/catch (baseline)": async () => {
        await db.query("BEGIN");
        try {
          await db.query("insert into bench_rows (v) values ($1)", [1]);
          await db.query("COMMIT");
        } catch (error) {
          await db.query("ROLLBACK");
          throw error;
        }
      },
      "transaction() + INSERT": {
        // async: tinybench probes a plain function with an unawaited call, which would overlap two
        // transactions on one connection (and transaction() rightly refuses that).
        run: async () =>
          void (await asyncWith(transaction(db), (tx) => tx.query("insert into bench_rows (v) values ($1)", [1]))),
        goal: 1.05,
      },
    },
    { ticks: false },
  );
  await table(
    `advisoryLock() acquire + release on ${label}, as a ratio to the two queries by hand`,
    {
      "pg_advisory_lock + pg_advisory_unlock (baseline)": async () => {
        await db.query("select pg_advisory_lock($1::bigint)", ["1"]);
        await db.query("select pg_advisory_unlock($1::bigint)", ["1"]);
      },
      advisoryLock: { run: async () => void (await asyncWith(advisoryLock(db, 1n), () => {})), goal: 1.05 },
    },
    { ticks: false },
  );
}

const lite = new PGlite();
await suite("PGlite", lite);
await lite.close();

const cluster = startCluster();
try {
  const client = new pg.Client(cluster.config);
  await client.connect();
  await suite("a PostgreSQL server (unix socket)", client);
  await client.end();
} finally {
  cluster.stop();
}

const results = new URL("../../../.bench-results/", import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(
  new URL(`postgres (node ${process.versions.node.split(".")[0]}).json`, results),
  JSON.stringify({ node: process.version, date: new Date().toISOString(), quick, tables }, null, 2),
);
