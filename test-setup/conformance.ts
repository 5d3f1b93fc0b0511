// One conformance suite for "a resource manager", run against every manager of every adapter in
// its own runtime (Node, Chromium, workerd) — like unstorage's shared driver tests. It imports
// nothing: each package passes in its own vitest functions and core's asyncWith (the workerd pool
// must not load a second copy of either from outside the package).

/** One fresh manager and how to look at the resource it gives. */
export interface Resource<T = any> {
  /** A fresh, not yet entered manager. */
  manager: unknown;
  /** Whether the resource behind the block's value is still open, held or alive. */
  isOpen(value: T): boolean | Promise<boolean>;
  /** Makes the release fail (for "a failing exit never hides the block's error"). */
  sabotage?(value: T): unknown;
  /** Called at the end of a successful block, for resources that need the block to finish them (a child's stdin). */
  finish?(value: T): unknown;
}

export interface Driver<T = any> {
  name: string;
  /** Gives a fresh resource to `use`, inside whatever context it needs (a Durable Object, say). */
  run<R>(use: (resource: Resource<T>) => Promise<R>): Promise<R>;
  /** Single-use managers refuse a second enter. Default: true. */
  singleUse?: boolean;
  /** Blocks run at once in the concurrency check. Default: 8. */
  concurrency?: number;
  /** Its resources have `sabotage`: the release can be made to fail from outside. */
  releaseCanFail?: boolean;
}

interface Kit {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>): void;
  expect: any;
  asyncWith(manager: any, body: (value: any) => unknown): Promise<unknown>;
}

const aexit = Symbol.for("asyncwith.aexit");
const aenter = Symbol.for("asyncwith.aenter");

/** Counts the exits asyncWith makes, passing everything through unchanged. */
function counted(manager: any) {
  const count = { exits: 0 };
  const wrapped = {
    [aenter]: () => manager[aenter](),
    [aexit]: (failure: unknown) => (count.exits++, manager[aexit](failure)),
  };
  return [wrapped, count] as const;
}

/** Whether `error` is `original`, or carries it as a SuppressedError's `suppressed` (at any depth). */
function carries(error: any, original: unknown): boolean {
  for (let e = error; e != null; e = e.suppressed) if (e === original) return true;
  return false;
}

/** A driver that opens a fresh resource for each block: the common case. */
export const driver = <T>(
  name: string,
  open: () => Resource<T> | Promise<Resource<T>>,
  extra: Partial<Driver<T>> = {},
): Driver<T> => ({
  name,
  run: async (use) => use(await open()),
  ...extra,
});

/**
 * The suite, against each driver. `kit` is the package's own vitest and asyncWith: passed in, so
 * that workerd's pool never loads a second copy of vitest from outside the package.
 */
export function testResourceManagers(kit: Kit, drivers: Driver[]): void {
  for (const d of drivers) testResourceManager(kit, d);
}

export function testResourceManager({ describe, it, expect, asyncWith }: Kit, driver: Driver): void {
  const { run, singleUse = true, concurrency = 8 } = driver;
  describe(`${driver.name} (conformance)`, () => {
    it("success: the block gets an open resource; it is released after, by exactly one exit", async () => {
      await run(async (r) => {
        const [manager, count] = counted(r.manager);
        let seen: unknown;
        await asyncWith(manager, async (value) => {
          seen = value;
          expect(await r.isOpen(value)).toBe(true);
          await r.finish?.(value);
        });
        expect(count.exits).toBe(1);
        expect(await r.isOpen(seen)).toBe(false);
      });
    });

    it("failure: the very same error comes back; the resource is released, by exactly one exit", async () => {
      await run(async (r) => {
        const [manager, count] = counted(r.manager);
        const error = new Error("the block failed");
        let seen: unknown;
        const thrown = await asyncWith(manager, (value) => {
          seen = value;
          throw error;
        }).catch((e: unknown) => e);
        expect(thrown).toBe(error);
        expect(count.exits).toBe(1);
        expect(await r.isOpen(seen)).toBe(false);
      });
    });

    if (singleUse) {
      it("single-use: entering it twice fails clearly", async () => {
        await run(async (r) => {
          await asyncWith(r.manager, (value) => r.finish?.(value));
          await expect(asyncWith(r.manager, () => {})).rejects.toThrow(/already entered/);
        });
      });
    }

    it(`${concurrency} blocks at once, half failing: every error is its own, nothing is left open`, async () => {
      const done = await Promise.all(
        Array.from({ length: concurrency }, (_, i) =>
          run(async (r) => {
            const error = new Error(`block ${i} failed`);
            let seen: unknown;
            const outcome = await asyncWith(r.manager, async (value) => {
              seen = value;
              if (i % 2) throw error;
              await r.finish?.(value);
              return i;
            }).catch((e: unknown) => e);
            expect(outcome).toBe(i % 2 ? error : i);
            return [r, seen] as const;
          }),
        ),
      );
      for (const [r, value] of done) expect(await r.isOpen(value)).toBe(false);
    });

    if (driver.releaseCanFail) {
      it("a release that fails never hides the block's error, and never passes silently on success", async () => {
        const error = new Error("the block failed");
        const thrown = await run((r) =>
          asyncWith(r.manager, async (value) => {
            await r.sabotage!(value);
            throw error;
          }).catch((e: unknown) => e),
        );
        expect(carries(thrown, error)).toBe(true);
        await expect(
          run((r) =>
            asyncWith(r.manager, async (value) => {
              await r.sabotage!(value);
              await r.finish?.(value);
            }),
          ),
        ).rejects.toBeDefined();
      });
    }
  });
}
