// A throw-away PostgreSQL cluster: initdb into a temp dir, a unix socket only (no TCP port), fsync
// off. PostgreSQL refuses to run as root, so as root (CI) it runs as `nobody`. Shared by the server
// tests' global setup and the bench. Returns the connection settings and a stop function.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The directory with initdb and pg_ctl: POSTGRES_BIN, Debian's /usr/lib/postgresql/<n>/bin, or PATH. */
export function postgresBin() {
  const debian = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql")
        .sort()
        .reverse()
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  for (const dir of [process.env.POSTGRES_BIN, ...debian]) if (dir && existsSync(join(dir, "initdb"))) return dir;
  try {
    return execFileSync("sh", ["-c", 'dirname "$(command -v initdb)"'], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      "Expected PostgreSQL's initdb and pg_ctl for the server tests, got none: install Debian's postgresql (apt-get install postgresql), or set POSTGRES_BIN to the directory that holds them. `npm test` installs it when it can.",
    );
  }
}

export function startCluster() {
  const bin = postgresBin();
  const root = mkdtempSync(join(tmpdir(), "asyncwith-pg-"));
  const data = join(root, "data");
  const socket = join(root, "socket");
  mkdirSync(socket);
  const nobody = { uid: 65534, gid: 65534 };
  const asUser = process.getuid?.() === 0 ? nobody : {};
  if (asUser === nobody) for (const path of [root, socket]) chownSync(path, nobody.uid, nobody.gid);
  const run = (tool, args) =>
    execFileSync(join(bin, tool), args, { ...asUser, stdio: "pipe", env: { ...process.env, LC_ALL: "C", HOME: root } });
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  run("pg_ctl", [
    "-D",
    data,
    "-l",
    join(root, "server.log"),
    "-w",
    "-o",
    `-k ${socket} -c listen_addresses='' -c fsync=off -c max_connections=60`,
    "start",
  ]);
  return {
    config: { host: socket, user: "postgres", database: "postgres", bin, data },
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

/** Restarts a running cluster (`pg_ctl restart -m fast`): every session ends, as in a server restart. */
export function restartCluster({ bin, data }) {
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  execFileSync(join(bin, "pg_ctl"), ["-D", data, "-l", join(data, "..", "server.log"), "-w", "-m", "fast", "restart"], {
    ...asUser,
    stdio: "pipe",
    env: { ...process.env, LC_ALL: "C" },
  });
}
