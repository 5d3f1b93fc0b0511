#!/usr/bin/env node
// The README's commands. Plain Node with no dependencies, so it runs on a fresh machine:
//   npm run demo   install what is needed, build, run the Node demo
//   npm test       install what is needed, then build, type-check, lint and test everything
//   npm run bench  install what is needed, build, run the benchmarks (pass --quick for a short run)
//   npm run docs   install what is needed, build, then the API site into docs/site (TypeDoc)
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import {
  ensureChromium,
  ensureNodes,
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
import { saveTimings, stepTimer, turboTaskRows } from "./lib/timings.mjs";

const [command, ...rest] = process.argv.slice(2);
const commands = { demo, test, bench, docs };
if (!commands[command]) {
  console.error(`Expected one of ${Object.keys(commands).join(", ")}, got ${JSON.stringify(command)}`);
  process.exit(2);
}
const timer = stepTimer();
timer.step("install pnpm and the workspace", () => {
  ensurePnpm();
  installDependencies();
});
process.exit(commands[command]());

function demo() {
  const built = turbo(["run", "build", "--filter=@asyncwith/node-demo...", "--output-logs=errors-only"]);
  return built || run("pnpm", ["--filter", "@asyncwith/node-demo", "run", "start"], { cwd: root });
}

function test() {
  timer.step("install runtimes, Chromium, PostgreSQL (when missing)", () => {
    ensureNodes();
    ensureRuntimes();
    if (workspaceScripts().includes("test:browser")) ensureChromium();
    if (workspaceScripts().includes("test:server")) ensurePostgres();
  });
  const results = join(root, ".test-results");
  rmSync(results, { recursive: true, force: true });
  rmSync(join(root, ".turbo", "runs"), { recursive: true, force: true });
  process.env.ASYNCWITH_RESULTS_DIR = results;
  const formatted = timer.step("prettier --check (`pnpm format` fixes it)", () =>
    run("pnpm", ["run", "--silent", "lint:format"], { cwd: root }),
  );
  // As many tasks at once as the machine has cores: each test task runs its own workers, and more
  // at once only made every set-up slower (a load of 12 on 2 cores timed PGlite's start out).
  const tested = timer.step("turbo: build, typecheck, lint, every test task", () =>
    turbo([
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
      "--summarize",
      `--concurrency=${availableParallelism()}`,
    ]),
  );
  const tasks = turboTaskRows(root);
  // The API site: TypeDoc fails on an undocumented export or a broken link (typedoc.json); then its
  // pages are checked, links and all, and opened in Chromium (scripts/docs).
  const documented = timer.step("API site: typedoc, then its pages in Chromium", () => {
    console.log("\nAPI site (typedoc into docs/site), then its checks (scripts/docs)");
    return (
      buildSite() || run("pnpm", ["exec", "vitest", "run", "--config", "scripts/docs/vitest.config.ts"], { cwd: root })
    );
  });
  // What a newcomer gets: the packed packages in fresh projects, every README example type-checked
  // and run, and the consumer matrix of TypeScript configurations (scripts/consumers).
  const consumer = (lane) =>
    run("pnpm", ["exec", "vitest", "run", "--config", `scripts/consumers/vitest.${lane}.config.ts`], { cwd: root });
  const pinnedLane = timer.step("README examples and consumer matrix, pinned versions", () => {
    console.log("\nREADME examples and consumer matrix, against the packed packages (scripts/consumers)");
    return consumer("pinned");
  });
  // The same READMEs from their own install lines, unpinned: what a newcomer gets from npm today.
  const unpinnedLane = timer.step("README install lines as written, today's versions", () => {
    console.log("\nEach README's install lines exactly as written, unpinned, then its examples (scripts/consumers)");
    return consumer("unpinned");
  });
  const consumers = pinnedLane || unpinnedLane;
  // The short benchmark: timings are printed, not judged; microtask ticks and sizes over budget fail.
  const benched = timer.step("short benchmark and bundle sizes", () => {
    console.log("\nShort benchmark (pnpm bench --quick): fails only on microtask ticks or bundle sizes over budget");
    const timed = turbo(["run", "bench", "--filter=@asyncwith/core", "--output-logs=full", "--", "--quick"]);
    return run("node", [join(root, "scripts", "sizes.mjs")], { cwd: root }) || timed;
  });
  const status = formatted || tested || documented || consumers || benched;
  const { passed, failed, rows } = summarize(results);
  console.log(`\nTest results (${rows.length} runs):\n${rows.join("\n")}`);
  console.log(`\nRuntime matrix (\`npm run matrix\` writes it into the README):\n\n${matrix(results)}`);
  console.log(`\nTurbo tasks, wall time (longest first; ${availableParallelism()} at once):\n${tasks.join("\n")}`);
  console.log(`\nSteps of npm test, wall time:\n${timer.rows().join("\n")}`);
  saveTimings(results, timer);
  console.log(`  ${"total".padEnd(52)} ${(timer.total() / 60000).toFixed(1).padStart(7)} min`);
  if (status !== 0) console.log("Some tasks failed: see their output above.");
  if (passed === 0) console.log("No test ran: that is a failure, not a pass.");
  console.log(`\n${passed} passed, ${failed} failed`);
  return status !== 0 || failed > 0 || passed === 0 ? 1 : 0;
}

/** `npm run docs`: the packages built (the adapters' types import core's), then the site. */
function docs() {
  const built = turbo(["run", "build", "--output-logs=errors-only"]);
  const status = built || buildSite();
  if (status === 0) console.log(`\nThe API site is in docs/site: open docs/site/index.html`);
  return status;
}

/** TypeDoc into an emptied docs/site, so a failed build never leaves an old site to be checked. */
function buildSite() {
  rmSync(join(root, "docs", "site"), { recursive: true, force: true });
  return run("pnpm", ["exec", "typedoc", "--logLevel", "Warn"], { cwd: root });
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
  ensureNodes();
  const quick = rest.includes("--quick");
  const timed = turbo(["run", "bench", "--concurrency=1", "--", ...rest]);
  const sized = run("node", [join(root, "scripts", "sizes.mjs")], { cwd: root });
  if (timed || sized || quick) return timed || sized;
  return run("node", [join(root, "scripts", "bench-readme.mjs")], { cwd: root });
}
