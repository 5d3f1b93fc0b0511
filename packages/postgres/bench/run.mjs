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

// The package's own cost, apart from the server's: the same blocks against a client that answers
// at once. Its JavaScript per block, added to a hand-written block on the server, is the ratio the
// goal is about; the wall-clock tables above also carry the server's wake-ups, which any gap between
// two statements pays (20 awaited microtasks per statement already measured +2% here).
const instant = { query: async () => ({ rows: [{ unlocked: true }], command: "COMMIT" }) };
async function ownCost() {
  const rows = await compare(
    "the same blocks against a client that answers at once (JavaScript only)",
    {
      "BEGIN / INSERT / COMMIT (baseline)": async () => {
        await instant.query("BEGIN");
        await instant.query("insert", [1]);
        await instant.query("COMMIT");
      },
      "transaction() + INSERT": async () =>
        void (await asyncWith(transaction(instant), (tx) => tx.query("insert", [1]))),
      "pg_advisory_lock + pg_advisory_unlock": async () => {
        await instant.query("lock", ["1"]);
        await instant.query("unlock", ["1"]);
      },
      advisoryLock: async () => void (await asyncWith(advisoryLock(instant, 1n), () => {})),
    },
    { ticks: false },
  );
  const ns = (name) => rows.find((r) => r.construct === name)["ns/op"];
  const onServer = (title, name) =>
    tables.find((t) => t.title.startsWith(title) && t.title.includes("server")).rows.find((r) => r.construct === name)[
      "ns/op"
    ];
  const own = (hand, mine, title, baseline) => {
    const base = onServer(title, baseline);
    const ratio = (base + ns(mine) - ns(hand)) / base;
    return {
      construct: mine,
      "µs of JavaScript per block": ((ns(mine) - ns(hand)) / 1000).toFixed(1),
      "× baseline": ratio.toFixed(2),
      goal: "≤ 1.05×",
      met: ratio <= 1.05 ? "yes" : "not yet",
    };
  };
  const title = "the package's own cost: its JavaScript per block, added to the hand-written block on the server";
  const result = [
    own(
      "BEGIN / INSERT / COMMIT (baseline)",
      "transaction() + INSERT",
      "transaction()",
      "BEGIN / INSERT / COMMIT in try/catch (baseline)",
    ),
    own(
      "pg_advisory_lock + pg_advisory_unlock",
      "advisoryLock",
      "advisoryLock()",
      "pg_advisory_lock + pg_advisory_unlock (baseline)",
    ),
  ];
  console.log(`\n${title}`);
  console.table(result);
  tables.push({ title, rows: result });
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
  await ownCost();
} finally {
  cluster.stop();
}

const results = new URL("../../../.bench-results/", import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(
  new URL(`postgres (node ${process.versions.node.split(".")[0]}).json`, results),
  JSON.stringify({ node: process.version, date: new Date().toISOString(), quick, tables }, null, 2),
);
