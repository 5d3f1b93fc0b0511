// retryOnConflict(): which failures run the block again, and which come back as they are.
import { describe, expect, it } from "vitest";
import { retryOnConflict } from "../src/index.ts";

const failing = (...codes: (string | undefined)[]) => {
  const errors = codes.map((code) => Object.assign(new Error(`failure ${code}`), code ? { code } : {}));
  let call = 0;
  const block = async (attempt: number) => {
    const error = errors[call++];
    if (error) throw error;
    return `done on try ${attempt}`;
  };
  return { errors, block, calls: () => call };
};
const noWait = { backoff: () => 0 };

describe("retryOnConflict", () => {
  it("runs the block again after a serialization failure (40001) or a deadlock (40P01)", async () => {
    const { block, calls } = failing("40001", "40P01");
    expect(await retryOnConflict(block, noWait)).toBe("done on try 3");
    expect(calls()).toBe(3);
  });

  it("rethrows every other error at once, as the very same value — a COMMIT of unknown outcome (08007) above all", async () => {
    for (const code of ["08007", "23505", undefined]) {
      const { errors, block, calls } = failing(code);
      await expect(retryOnConflict(block, noWait)).rejects.toBe(errors[0]);
      expect(calls()).toBe(1);
    }
  });

  it("stops after `attempts` tries and rethrows the last conflict", async () => {
    const { errors, block, calls } = failing("40001", "40001", "40001");
    await expect(retryOnConflict(block, { ...noWait, attempts: 2 })).rejects.toBe(errors[1]);
    expect(calls()).toBe(2);
  });

  it("a signal stops the wait between tries with its reason", async () => {
    const { block } = failing("40001");
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const retried = retryOnConflict(block, { backoff: () => 60_000, signal: controller.signal });
    controller.abort(reason);
    await expect(retried).rejects.toBe(reason);
  });

  it("refuses bad input with Expected … got …", async () => {
    await expect(retryOnConflict("nope" as never)).rejects.toThrow(
      'Expected retryOnConflict() to be given a function that runs the transaction, got "nope"',
    );
    await expect(retryOnConflict(async () => 1, { attempts: 0 })).rejects.toThrow(
      "Expected retryOnConflict() options.attempts to be a whole number of tries, at least 1, got 0",
    );
  });
});
