// Wall times for npm test's closing summary: each of its steps, and each turbo task (from the run
// summary turbo writes with --summarize), so a slow or stuck task is visible in every CI log.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";

const seconds = (ms) => `${(ms / 1000).toFixed(1).padStart(7)} s`;

/** Runs and times named steps; `rows()` lists them in the order they ran. */
export function stepTimer() {
  const steps = [];
  return {
    step(name, fn) {
      const start = Date.now();
      try {
        return fn();
      } finally {
        steps.push([name, Date.now() - start]);
      }
    },
    steps: () => steps.map(([name, ms]) => ({ name, ms })),
    rows: () => steps.map(([name, ms]) => `  ${name.padEnd(52)} ${seconds(ms)}`),
    total: () => steps.reduce((sum, [, ms]) => sum + ms, 0),
  };
}

/** The tasks of the newest turbo run summary in `<root>/.turbo/runs`, longest first. */
export function turboTaskRows(root) {
  const dir = join(root, ".turbo", "runs");
  if (!existsSync(dir)) return [];
  const newest = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) return [];
  const { tasks = [] } = JSON.parse(readFileSync(newest, "utf8"));
  return tasks
    .filter((t) => t.execution)
    .map((t) => [
      t.taskId,
      t.execution.endTime - t.execution.startTime,
      t.cache?.status === "HIT",
      t.execution.exitCode,
    ])
    .sort((a, b) => b[1] - a[1])
    .map(
      ([id, ms, hit, code]) =>
        `  ${id.padEnd(52)} ${seconds(ms)}${hit ? "  (cached)" : ""}${code ? `  (exit ${code})` : ""}`,
    );
}

/** Where `npm run matrix` finds the last run's wall times (beside the test reports, in a subfolder they never read). */
const timingsFile = (results) => join(results, "timings", "npm-test.json");

/** Saves the steps' wall times of this `npm test`, for the README's generated block. */
export function saveTimings(results, timer) {
  mkdirSync(join(results, "timings"), { recursive: true });
  const record = { cores: availableParallelism(), totalMs: timer.total(), steps: timer.steps() };
  writeFileSync(timingsFile(results), JSON.stringify(record, null, 2));
}

/** One line for the README: how long the last `npm test` took, and on what; undefined when none was saved. */
export function timingsLine(results) {
  if (!existsSync(timingsFile(results))) return undefined;
  const { cores, totalMs, steps } = JSON.parse(readFileSync(timingsFile(results), "utf8"));
  const minutes = (ms) => `${(ms / 60000).toFixed(1)} min`;
  const longest = [...steps].sort((a, b) => b.ms - a.ms).slice(0, 3);
  return `It took ${minutes(totalMs)} of wall time on ${cores} cores, most of it in: ${longest.map((s) => `${s.name} (${minutes(s.ms)})`).join("; ")}.`;
}
