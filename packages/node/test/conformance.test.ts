// The shared resource-manager conformance suite (test-setup/conformance.ts), run against every
// manager of @asyncwith/node, with real files, processes, servers and signal handlers.
import { closeSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { type Driver, driver, testResourceManagers } from "../../../test-setup/conformance.ts";
import {
  atomicWrite,
  childProcess,
  fileLock,
  openFile,
  readStream,
  server,
  shutdownScope,
  tempDir,
  tempFile,
  writeStream,
} from "../src/index.ts";
import { lockHeld, scratch } from "./helpers.ts";

const input = () => {
  const path = join(scratch(), "input.txt");
  writeFileSync(path, "some data");
  return path;
};

const drivers: Driver[] = [
  driver(
    "openFile",
    () => ({
      manager: openFile(join(scratch(), "f"), "w"),
      isOpen: (h) => h.fd !== -1,
      sabotage: (h) => closeSync(h.fd),
    }),
    { releaseCanFail: true },
  ),
  driver("writeStream", () => ({ manager: writeStream(join(scratch(), "f")), isOpen: (s) => !s.closed })),
  driver("readStream", () => ({ manager: readStream(input()), isOpen: (s) => !s.closed })),
  driver(
    "atomicWrite",
    () => ({
      manager: atomicWrite(join(scratch(), "target")),
      isOpen: (h) => h.fd !== -1,
      sabotage: (h) => closeSync(h.fd),
    }),
    { releaseCanFail: true },
  ),
  driver("tempDir", () => ({ manager: tempDir("conformance-", { dir: scratch() }), isOpen: (dir) => existsSync(dir) })),
  driver("tempFile", () => ({ manager: tempFile({ dir: scratch() }), isOpen: (path) => existsSync(path) })),
  driver(
    "fileLock",
    () => ({
      manager: fileLock(join(scratch(), "state")),
      isOpen: (lock) => lockHeld(lock.lockPath),
      sabotage: (lock) => rmSync(lock.lockPath, { recursive: true }),
    }),
    { releaseCanFail: true },
  ),
  driver("childProcess", () => ({
    manager: childProcess("cat", [], { stdio: ["pipe", "ignore", "ignore"] }),
    isOpen: (child) => child.exitCode === null && child.signalCode === null,
    finish: (child) => child.stdin!.end(), // cat exits at the end of its input
  })),
  driver("server", () => {
    const http = createServer((_req, res) => res.end());
    return { manager: server(http, { host: "127.0.0.1" }), isOpen: () => http.listening };
  }),
  driver("shutdownScope", () => {
    const before = process.listenerCount("SIGTERM");
    return { manager: shutdownScope({ exit: false }), isOpen: () => process.listenerCount("SIGTERM") > before };
  }),
];

testResourceManagers({ describe, it, expect, asyncWith }, drivers);
