import { spawnSync } from "node:child_process";

/** Runs a command with inherited stdio; returns its exit status (1 when it could not start). */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) console.error(`${command}: ${result.error.message}`);
  return result.status ?? 1;
}

/** Runs a command quietly; returns its trimmed stdout, or undefined when it failed. */
export function read(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Runs a command and exits this process when it fails, saying what step failed. */
export function must(step, command, args, options) {
  const status = run(command, args, options);
  if (status !== 0) {
    console.error(`\n${step} failed (exit ${status}): ${command} ${args.join(" ")}`);
    process.exit(status);
  }
}
