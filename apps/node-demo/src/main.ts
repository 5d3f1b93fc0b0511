// `npm run demo`: the classic examples of async context managers, in a real Node process.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { asyncWith, enter, formatError } from "@asyncwith/core";
import { transaction } from "@asyncwith/postgres";
import { PGlite } from "@electric-sql/pglite";
import { managed } from "./managed.js";
import { mistakes } from "./mistakes.js";
import { story } from "./story.js";
import { traced } from "./trace.js";

const say = (line: string) => console.log(`   ${line}`);
const heading = (text: string) => console.log(`\n${text}`);

heading("1. enter → body → exit");
await asyncWith(managed(say), () => say("within the manager"));

heading("2. The body throws: the exit still runs and the error still surfaces (in a child process)");
const child = fileURLToPath(new URL("./body-throws.js", import.meta.url));
say(`$ node ${child.split("/").slice(-2).join("/")}`);
try {
  execFileSync(process.execPath, [child], { encoding: "utf8", stdio: "pipe" });
  say("!! the child exited with 0, which it should not");
  process.exitCode = 1;
} catch (error) {
  const { status, stdout, stderr } = error as { status: number; stdout: string; stderr: string };
  for (const line of stdout.trimEnd().split("\n")) say(`| ${line}`);
  const thrown = stderr.split("\n").find((line) => line.startsWith("Error:")) ?? stderr.trim();
  say(`| (stderr) ${thrown}`);
  say(`the child exited with code ${status}: the error was not swallowed`);
}

heading("3. Commit or roll back: the exit sees whether the block failed (a real table, in PGlite)");
const db = new PGlite(); // PostgreSQL, compiled to WASM, in this process
await db.exec("create table orders (id int primary key, item text not null)");
const rows = async () =>
  (await db.query<{ id: number }>("select id from orders order by id")).rows.map((r) => r.id).join(", ") || "none";
await asyncWith(transaction(db), (tx) => tx.query("insert into orders values (1, 'book')"));
say(`tx1: insert order 1 → committed; orders: ${await rows()}`);
const code = await asyncWith(transaction(db), async (tx) => {
  await tx.query("insert into orders values (2, 'pen')");
  await tx.query("insert into orders values (1, 'again')"); // duplicate key: the block fails
}).then(
  () => "no error",
  (error: { code?: string }) => error.code,
);
say(`tx2: insert order 2, then a duplicate (${code}) → rolled back; orders: ${await rows()}`);
{
  await using tx = await enter(transaction(db));
  await tx.value.query("insert into orders values (3, 'ink')");
  tx.ok(); // without it, the exit rolls back
}
say(`tx3 (await using, ok()): orders: ${await rows()}`);
await db.close();

heading("4. Common mistakes and the errors they give");
for (const [title, run] of mistakes) {
  try {
    await run();
    say(`${title}: !! no error`);
    process.exitCode = 1;
  } catch (error) {
    say(`${title}:\n     ${(error as Error).name}: ${(error as Error).message}`);
  }
}

heading("5. A real story with @asyncwith/node: one step throws, everything is cleaned up, the report is intact");
let storyError: unknown;
await story(say, (error) => (storyError = error));

heading(
  "6. The same story, traced (observe()): every block, its outcome, its time; and the error, as formatError() prints it",
);
await traced(say, () =>
  story(
    () => {},
    () => {},
  ),
);
for (const line of formatError(storyError).split("\n")) say(line.replace(/ \(at .*\)$/, ""));
