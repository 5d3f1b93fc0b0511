#!/usr/bin/env node
// The README's commands. Plain Node with no dependencies, so it runs on a fresh machine:
//   npm run demo   install what is needed, build, run the Node demo
//   npm test       install what is needed, then build, type-check, lint and test everything
//   npm run bench  install what is needed, build, run the benchmarks (pass --quick for a short run)
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  ensureChromium,
  ensureNode24,
  ensurePostgres,
  ensurePnpm,
  ensureRuntimes,
  installDependencies,
  root,
  turbo,
} from "./lib/setup.mjs";
import { run } from "./lib/sh.mjs";
import { matrix } from "./lib/matrix.mjs";
import { summarize } from "./lib/summary.mjs";

const [command, ...rest] = process.argv.slice(2);
const commands = { demo, test, bench };
if (!commands[command]) {
  console.error(`Expected one of ${Object.keys(commands).join(", ")}, got ${JSON.stringify(command)}`);
  process.exit(2);
}
ensurePnpm();
installDependencies();
process.exit(commands[command]());

function demo() {
  const built = turbo(["run", "build", "--filter=@asyncwith/node-demo...", "--output-logs=errors-only"]);
  return built || run("pnpm", ["--filter", "@asyncwith/node-demo", "run", "start"], { cwd: root });
}

function test() {
  ensureNode24();
  ensureRuntimes();
  if (workspaceScripts().includes("test:browser")) ensureChromium();
  if (workspaceScripts().includes("test:server")) ensurePostgres();
  const results = join(root, ".test-results");
  rmSync(results, { recursive: true, force: true });
  process.env.ASYNCWITH_RESULTS_DIR = results;
  console.log("Formatting (prettier --check; `pnpm format` fixes it)");
  const formatted = run("pnpm", ["run", "--silent", "lint:format"], { cwd: root });
  const tested = turbo([
    "run",
    "build",
    "typecheck",
    "lint",
    "test",
    "test:browser",
    "test:workerd",
    "test:runtimes",
    "test:server",
    "--continue",
  ]);
  // What a newcomer gets: the packed packages in fresh projects, every README example type-checked
  // and run, and the consumer matrix of TypeScript configurations (scripts/consumers).
  console.log("\nREADME examples and consumer matrix, against the packed packages (scripts/consumers)");
  const consumers = run("pnpm", ["exec", "vitest", "run", "--config", "scripts/consumers/vitest.config.ts"], {
    cwd: root,
  });
  // The short benchmark: timings are printed, not judged; microtask ticks and sizes over budget fail.
  console.log("\nShort benchmark (pnpm bench --quick): fails only on microtask ticks or bundle sizes over budget");
  const timed = turbo(["run", "bench", "--filter=@asyncwith/core", "--output-logs=full", "--", "--quick"]);
  const benched = run("node", [join(root, "scripts", "sizes.mjs")], { cwd: root }) || timed;
  const status = formatted || tested || consumers || benched;
  const { passed, failed, rows } = summarize(results);
  console.log(`\nTest results (${rows.length} runs):\n${rows.join("\n")}`);
  console.log(`\nRuntime matrix (\`npm run matrix\` writes it into the README):\n\n${matrix(results)}`);
  if (status !== 0) console.log("Some tasks failed: see their output above.");
  if (passed === 0) console.log("No test ran: that is a failure, not a pass.");
  console.log(`\n${passed} passed, ${failed} failed`);
  return status !== 0 || failed > 0 || passed === 0 ? 1 : 0;
}

/** Every script name of every workspace package, to see which runtimes the tests need. */
function workspaceScripts() {
  return ["packages", "apps"].flatMap((dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir)).flatMap((name) => {
          const file = join(root, dir, name, "package.json");
          return existsSync(file) ? Object.keys(JSON.parse(readFileSync(file, "utf8")).scripts ?? {}) : [];
        })
      : [],
  );
}

/** Timings (printed, never judged), then the deterministic figures (ticks, sizes) that do fail. */
function bench() {
  ensureNode24();
  const quick = rest.includes("--quick");
  const timed = turbo(["run", "bench", "--concurrency=1", "--", ...rest]);
  const sized = run("node", [join(root, "scripts", "sizes.mjs")], { cwd: root });
  if (timed || sized || quick) return timed || sized;
  return run("node", [join(root, "scripts", "bench-readme.mjs")], { cwd: root });
}
