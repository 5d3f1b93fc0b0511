// atomicWrite where another user has a hand in the path (#23): their links are not followed, a file
// they planted in a sticky directory is not filled, and what is not a regular file is not replaced
// without being asked. CI runs as root; `nobody` is the other user.
import {
  chmodSync,
  chownSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { asyncWith } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { atomicWrite } from "../src/index.ts";
import { asNobody, finished, nobody, scratch } from "./helpers.ts";

/** A world-writable sticky directory like /tmp, and a directory only root may enter. */
function shared() {
  const base = scratch();
  const sticky = join(base, "tmp");
  mkdirSync(sticky);
  chmodSync(sticky, 0o1777);
  const rootOnly = join(base, "root-only");
  mkdirSync(rootOnly, { mode: 0o700 });
  return { sticky, rootOnly };
}

/** A symlink at `at` to `to`, owned by nobody (as if they made it). */
function theirLink(to: string, at: string) {
  symlinkSync(to, at);
  lchownSync(at, nobody.uid, nobody.gid);
}

const write = (path: string, options?: object) =>
  asyncWith(atomicWrite(path, options), (file) => file.writeFile("secret"));

describe("atomicWrite and other users", () => {
  it("never follows another user's dangling link: nothing is created where it points", async () => {
    const { sticky, rootOnly } = shared();
    theirLink(join(rootOnly, "created"), join(sticky, "out"));
    await expect(write(join(sticky, "out"))).rejects.toMatchObject({
      code: "EFOREIGN",
      message: expect.stringContaining(`owned by uid ${nobody.uid}: another user's link leads wherever they choose`),
    });
    expect(existsSync(join(rootOnly, "created"))).toBe(false);
  });

  it("never writes through another user's link to an existing file", async () => {
    const { sticky, rootOnly } = shared();
    writeFileSync(join(rootOnly, "config"), "mine");
    theirLink(join(rootOnly, "config"), join(sticky, "config"));
    await expect(write(join(sticky, "config"))).rejects.toMatchObject({ code: "EFOREIGN" });
    expect(readFileSync(join(rootOnly, "config"), "utf8")).toBe("mine");
    expect(lstatSync(join(sticky, "config")).isSymbolicLink()).toBe(true);
  });

  it("does not fill a file another user planted in a sticky directory (they would own the new content)", async () => {
    const { sticky } = shared();
    writeFileSync(join(sticky, "report"), "planted");
    chownSync(join(sticky, "report"), nobody.uid, nobody.gid);
    await expect(write(join(sticky, "report"))).rejects.toMatchObject({
      code: "EFOREIGN",
      message: expect.stringContaining("another user may have planted it"),
    });
    expect(readFileSync(join(sticky, "report"), "utf8")).toBe("planted");
  });

  it("follows this user's and root's links as before", async () => {
    const { sticky, rootOnly } = shared();
    symlinkSync(join(rootOnly, "target"), join(sticky, "mine"));
    await write(join(sticky, "mine"));
    expect(readFileSync(join(rootOnly, "target"), "utf8")).toBe("secret");
  });

  it("refuses a FIFO or a directory as the target, and replaces a FIFO only when asked", async () => {
    const dir = scratch();
    const fifo = join(dir, "pipe");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    await expect(write(fifo)).rejects.toThrow(`Expected atomicWrite() to replace a regular file, got a FIFO`);
    expect(statSync(fifo).isFIFO()).toBe(true);
    await write(fifo, { replaceNonRegular: true });
    expect(readFileSync(fifo, "utf8")).toBe("secret");
    mkdirSync(join(dir, "folder"));
    await expect(write(join(dir, "folder"))).rejects.toThrow("got a directory");
  });

  it("blames the directory, not the file, when the directory is what refuses", async () => {
    const dir = join(scratch(), "read-only");
    mkdirSync(dir);
    chmodSync(join(dir, ".."), 0o755);
    writeFileSync(join(dir, "target"), "old");
    chmodSync(join(dir, "target"), 0o666); // nobody may write the file, not the directory
    const child = asNobody(
      `
      import { asyncWith } from "@asyncwith/core";
      import { atomicWrite } from "@asyncwith/node";
      await asyncWith(atomicWrite(process.argv[2]), (file) => file.writeFile("new")).catch((error) => console.log(error.code, error.message));
    `,
      [join(dir, "target")],
    );
    const { stdout } = await finished(child);
    expect(stdout).toContain(`EACCES Could not create a new file in ${dir} to replace ${dir}/target`);
    expect(stdout).toContain("the directory must be writable, not only the file");
    expect(readFileSync(join(dir, "target"), "utf8")).toBe("old");
  });
});
