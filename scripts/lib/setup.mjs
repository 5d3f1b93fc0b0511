// Everything `npm test` / `npm run demo` need on a fresh machine that has only Node and npm.
// Tools land in .tools/ (git-ignored) so nothing needs root except Debian's chromium.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { must, read, run } from "./sh.mjs";

export const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const tools = join(root, ".tools");
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
export const pnpmVersion = packageJson.packageManager.split("@")[1].split("+")[0];
/** Other Node majors the Node suites also run on (npm package `node`): the other LTS, and the newest (native `await using`). */
export const nodeVersions = { node22: "22.23.3", node24: "24.21.0" };
/** Other runtimes the core's runtime-agnostic suite runs on, from their npm packages. */
const runtimes = {
  bun: { version: "1.4.5", binary: ["bun", "bin", "bun.exe"], variable: "BUN_PATH" },
  deno: { version: "2.9.6", binary: ["deno", "deno"], variable: "DENO_PATH" },
};

const npmQuiet = ["--no-save", "--no-audit", "--no-fund", "--loglevel=error"];

/** Puts the pinned pnpm on PATH (a global one of the right version, else one in .tools/). */
export function ensurePnpm() {
  if (read("pnpm", ["--version"]) === pnpmVersion) return;
  const prefix = join(tools, "pnpm");
  const bin = join(prefix, "node_modules", ".bin");
  if (!existsSync(join(bin, "pnpm"))) {
    console.log(`Installing pnpm ${pnpmVersion} into .tools/pnpm …`);
    must("installing pnpm", "npm", ["install", "--prefix", prefix, ...npmQuiet, `pnpm@${pnpmVersion}`]);
  }
  process.env.PATH = `${bin}${delimiter}${process.env.PATH}`;
}

/** Installs the workspace exactly as the lockfile says. */
export function installDependencies() {
  must("pnpm install", "pnpm", ["install", "--frozen-lockfile", "--config.confirm-modules-purge=false"], { cwd: root });
}

/** Node 22 (the other LTS) and Node 24 (native `await using` / AsyncDisposableStack, for the differential tests). */
export function ensureNodes() {
  for (const [name, version] of Object.entries(nodeVersions)) {
    const prefix = join(tools, `node-${version}`);
    const binary = join(prefix, "node_modules", "node", "bin", "node");
    if (read(binary, ["--version"]) !== `v${version}`) {
      console.log(`Installing Node ${version} (npm package node) into .tools/ …`);
      must(`installing Node ${version}`, "npm", ["install", "--prefix", prefix, ...npmQuiet, `node@${version}`]);
    }
    process.env[`${name.toUpperCase()}_PATH`] = binary;
  }
}

/** Bun and Deno (npm packages `bun`, `deno`, whose binaries ship inside the registry packages). */
export function ensureRuntimes() {
  for (const [name, { version, binary, variable }] of Object.entries(runtimes)) {
    const prefix = join(tools, `${name}-${version}`);
    const path = join(prefix, "node_modules", ...binary);
    if (!read(path, ["--version"])?.includes(version)) {
      console.log(`Installing ${name} ${version} (npm package ${name}) into .tools/ …`);
      must(`installing ${name}`, "npm", ["install", "--prefix", prefix, ...npmQuiet, `${name}@${version}`]);
    }
    process.env[variable] = path;
  }
}

/**
 * Browser tests need a real Chromium. Use CHROMIUM_PATH or `chromium` on PATH; as root with apt,
 * install Debian's package; otherwise stop and say exactly what to do (never skip the tests).
 */
export function ensureChromium() {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return;
  let found = read("sh", ["-c", "command -v chromium"]);
  if (!found && process.getuid?.() === 0 && read("sh", ["-c", "command -v apt-get"])) {
    console.log("Installing Debian's chromium for the browser tests (apt-get, about a minute) …");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    must("apt-get update", "apt-get", ["update", "-qq"], { env });
    must("installing chromium", "apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], { env });
    found = read("sh", ["-c", "command -v chromium"]);
  }
  if (!found) {
    console.error(
      [
        "The browser tests need a real Chromium, and none was found.",
        "Install one, e.g. on Debian/Ubuntu: sudo apt-get install chromium",
        "or point CHROMIUM_PATH at an existing binary: CHROMIUM_PATH=/path/to/chromium npm test",
      ].join("\n"),
    );
    process.exit(1);
  }
  process.env.CHROMIUM_PATH = found;
}

/**
 * The PostgreSQL server tests start a throw-away cluster, so they need initdb and pg_ctl: Debian's
 * (/usr/lib/postgresql/<n>/bin), POSTGRES_BIN, or PATH. As root with apt, install Debian's
 * postgresql; otherwise stop and say exactly what to do (never skip the tests).
 */
export function ensurePostgres() {
  const find = () =>
    [
      process.env.POSTGRES_BIN,
      ...(existsSync("/usr/lib/postgresql")
        ? readdirSync("/usr/lib/postgresql")
            .sort()
            .reverse()
            .map((v) => `/usr/lib/postgresql/${v}/bin`)
        : []),
    ].find((dir) => dir && existsSync(join(dir, "initdb"))) ??
    read("sh", ["-c", 'command -v initdb >/dev/null && dirname "$(command -v initdb)"']);
  let found = find();
  if (!found && process.getuid?.() === 0 && read("sh", ["-c", "command -v apt-get"])) {
    console.log("Installing Debian's postgresql for the server tests (apt-get) …");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    must("apt-get update", "apt-get", ["update", "-qq"], { env });
    must("installing postgresql", "apt-get", ["install", "-y", "-qq", "--no-install-recommends", "postgresql"], {
      env,
    });
    found = find();
  }
  if (!found) {
    console.error(
      [
        "The PostgreSQL server tests need PostgreSQL's initdb and pg_ctl, and none was found.",
        "Install it, e.g. on Debian/Ubuntu: sudo apt-get install postgresql",
        "or point POSTGRES_BIN at the directory that holds them: POSTGRES_BIN=/usr/lib/postgresql/16/bin npm test",
      ].join("\n"),
    );
    process.exit(1);
  }
  process.env.POSTGRES_BIN = found;
}

/** Runs turbo from the workspace with telemetry off; returns its exit status. */
export function turbo(args) {
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
  return run("pnpm", ["exec", "turbo", ...args], { cwd: root, env });
}
