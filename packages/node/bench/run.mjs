// `pnpm bench`: the managers' cost as ratios to plain fs.promises (and to write-file-atomic),
// measured in the same process and run. `--quick` runs a shorter measurement.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asyncWith } from "@asyncwith/core";
import writeFileAtomic from "write-file-atomic";
import { comparer } from "@asyncwith/dev/compare";
import { atomicWrite, openFile } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const compare = comparer({ quick });
const tables = [];
const table = async (title, cases) => tables.push({ title, rows: await compare(title, cases) });
const dir = mkdtempSync(join(tmpdir(), "asyncwith-bench-"));
const file = join(dir, "small.txt");
const line = "a line of text\n";

try {
  await table("openFile + write + close, as a ratio to fs.promises by hand", {
    "fs.promises open/write/close (baseline)": async () => {
      const handle = await open(file, "w");
      try {
        await handle.write(line);
      } finally {
        await handle.close();
      }
    },
    openFile: () => asyncWith(openFile(file, "w"), (handle) => handle.write(line)),
  });

  const megabyte = Buffer.alloc(1024 * 1024, 97);
  const target = join(dir, "report.bin");
  await table("replacing a 1 MB file, as a ratio to fs.promises.writeFile (not atomic, no fsync)", {
    "fs.promises.writeFile (baseline)": () => writeFile(target, megabyte),
    "write-file-atomic (fsyncs the file, not the directory)": () => writeFileAtomic(target, megabyte),
    "atomicWrite (fsyncs the file and the directory)": () =>
      asyncWith(atomicWrite(target), (handle) => handle.writeFile(megabyte)),
  });
  await table("replacing a 1 MB file, as a ratio to write-file-atomic", {
    "write-file-atomic (baseline)": () => writeFileAtomic(target, megabyte),
    atomicWrite: { run: () => asyncWith(atomicWrite(target), (handle) => handle.writeFile(megabyte)), goal: 1 },
  });

  // Temp files of killed writers are swept once per directory and process, not on every write,
  // so a crowded directory must not make each write slower.
  const empty = join(dir, "empty");
  const crowded = join(dir, "crowded");
  mkdirSync(empty);
  mkdirSync(crowded);
  for (let i = 0; i < 100_000; i++) writeFileSync(join(crowded, `other-${i}`), "");
  execFileSync("sync"); // else the kernel's write-back of those 100,000 new files is what gets measured
  const small = Buffer.alloc(1024, 98);
  await table("one atomicWrite into a directory of 100,000 other files, as a ratio to an empty directory", {
    "atomicWrite, empty directory (baseline)": () =>
      asyncWith(atomicWrite(join(empty, "t"), { fsync: false }), (handle) => handle.writeFile(small)),
    "atomicWrite, 100,000 other files": {
      run: () => asyncWith(atomicWrite(join(crowded, "t"), { fsync: false }), (handle) => handle.writeFile(small)),
      goal: 1.2,
    },
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const results = new URL("../../../.bench-results/", import.meta.url);
mkdirSync(results, { recursive: true });
writeFileSync(
  new URL(`node (node ${process.versions.node.split(".")[0]}).json`, results),
  JSON.stringify({ node: process.version, date: new Date().toISOString(), quick, tables }, null, 2),
);
