import { afterEach, describe, expect, it } from "vitest";
import { countTicks } from "../bench/ticks.mjs";
import {
  aenter,
  aexit,
  AsyncExitStack,
  asyncWith,
  type Block,
  contextManager,
  enter,
  Lock,
  managerName,
  observe,
  type Observer,
  resource,
  suppress,
  timeout,
} from "../src/index.js";
import { rejection } from "./fixtures.js";

const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

/** Records every event as "step name outcome". */
function record() {
  const events: string[] = [];
  const blocks: Block[] = [];
  stops.push(
    observe({
      enter: (b) => void (events.push(`enter ${b.name}`), blocks.push(b)),
      entered: (b) => void events.push(`entered ${b.name}${b.outcome ? ` ${b.outcome}` : ""}`),
      exit: (b) => void events.push(`exit ${b.name}${b.failure ? " (failure)" : ""}`),
      exited: (b) => void events.push(`exited ${b.name} ${b.outcome}`),
    }),
  );
  return { events, blocks };
}

class Connection {
  [aenter]() {
    return this;
  }
  [aexit]() {
    return false;
  }
}

describe("observe()", () => {
  it("refuses what is not an observer object, saying what it got", () => {
    expect(() => observe(null as never)).toThrow(
      new TypeError("Expected an observer object (with enter/entered/exit/exited/run methods, all optional), got null"),
    );
    expect(() => observe((() => {}) as never)).toThrow(/got a function$/);
  });

  it("reports every step of a block run by asyncWith, with the manager's name and durations", async () => {
    const { events, blocks } = record();
    const migrate = contextManager(async function* migrate() {
      yield 1;
    });
    await asyncWith(migrate(), () => {});
    expect(events).toEqual(["enter migrate", "entered migrate", "exit migrate", "exited migrate ok"]);
    const { times } = blocks[0]!;
    expect(times.enter <= times.entered! && times.entered! <= times.exit! && times.exit! <= times.exited!).toBe(true);
  });

  it("names managers after their factory, generator, class or managerName", async () => {
    const { blocks } = record();
    const named = { [managerName]: "pool", [aenter]: () => 1, [aexit]: () => false };
    for (const manager of [
      resource(
        () => 1,
        () => {},
        "connection",
      ),
      new Connection(),
      new Lock(),
      timeout(1_000),
      named,
      suppress(TypeError),
    ]) {
      await asyncWith(manager as never, () => {});
    }
    expect(blocks.map((b) => b.name)).toEqual(["connection", "Connection", "Lock", "timeout", "pool", "suppress"]);
  });

  it("reports each outcome: ok, error, suppressed, replaced, enter-failed — never changing it", async () => {
    const { blocks } = record();
    const boom = new Error("boom");
    await expect(asyncWith(new Lock(), () => Promise.reject(boom))).rejects.toBe(boom);
    await asyncWith(suppress(Error), () => Promise.reject(boom));
    const replacing = { [aenter]: () => 1, [aexit]: () => Promise.reject(new Error("replacement")) };
    await expect(asyncWith(replacing, () => Promise.reject(boom))).rejects.toThrow("replacement");
    const failing = { [managerName]: "failing", [aenter]: () => Promise.reject(boom), [aexit]: () => false };
    await expect(asyncWith(failing, () => {})).rejects.toBe(boom);
    expect(
      blocks.map((b) => [b.name, b.outcome, b.error === boom ? "boom" : String((b.error as Error)?.message)]),
    ).toEqual([
      ["Lock", "error", "boom"],
      ["suppress", "suppressed", "boom"],
      ["manager", "replaced", "replacement"],
      ["failing", "enter-failed", "boom"],
    ]);
  });

  it("gives the parent block when blocks nest (the array form, and a body that starts a block at once)", async () => {
    const { blocks } = record();
    await asyncWith(
      [
        new Lock(),
        resource(
          () => 1,
          () => {},
          "inner",
        ),
      ],
      () => asyncWith(timeout(1_000), () => {}),
    );
    const [lock, inner, scope] = blocks;
    expect([lock!.parent, inner!.parent?.name, scope!.parent?.name]).toEqual([undefined, "Lock", "inner"]);
  });

  it("watches AsyncExitStack.enterContext and enter() (await using) as blocks too", async () => {
    const { events } = record();
    await asyncWith(new AsyncExitStack(), async (stack) => {
      await stack.enterContext(
        resource(
          () => 1,
          () => {},
          "file",
        ),
      );
    });
    const scope = await enter(
      resource(
        () => 1,
        () => {},
        "tx",
      ),
    );
    await scope[Symbol.asyncDispose](); // no ok(): the failure path
    expect(events).toEqual([
      "enter AsyncExitStack",
      "entered AsyncExitStack",
      "enter file",
      "entered file",
      "exit AsyncExitStack",
      "exit file",
      "exited file ok",
      "exited AsyncExitStack ok",
      "enter tx",
      "entered tx",
      "exit tx (failure)",
      "exited tx error",
    ]);
  });

  it("takes several observers; a throwing one is reported once, removed, and changes nothing", async () => {
    const calls: string[] = [];
    const reported: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void reported.push(args[1]);
    try {
      const bad = new Error("observer bug");
      stops.push(observe({ enter: () => void calls.push("first") }));
      stops.push(
        observe({
          entered: () => {
            throw bad;
          },
        }),
      );
      stops.push(observe({ exited: () => void calls.push("third") }));
      expect(await asyncWith(new Lock(), () => 42)).toBe(42);
      expect(await asyncWith(new Lock(), () => 43)).toBe(43);
      expect(reported).toEqual([bad]);
      expect(calls).toEqual(["first", "third", "first", "third"]);
    } finally {
      console.error = original;
    }
  });

  it("an observer removed for a throwing active() or attach() does not hide the block from the next one", async () => {
    const original = console.error;
    console.error = () => {};
    try {
      const seen: string[] = [];
      const throwing = (what: string) => () => {
        throw new Error(`${what} bug`);
      };
      // The second asks with active() too: read from a live list, the removal of the first skips it.
      stops.push(observe({ active: throwing("active") }));
      stops.push(observe({ active: () => true, entered: (b) => void seen.push(`entered ${b.name}`) }));
      await asyncWith(new Lock(), () => {});
      stops.push(observe({ attach: throwing("attach") }));
      stops.push(observe({ active: () => true, attach: (b) => void seen.push(`attached ${b.name}`) }));
      await asyncWith(new AsyncExitStack(), (stack) => stack.enterContext(new Lock()));
      expect(seen).toEqual(["entered Lock", "entered AsyncExitStack", "attached Lock", "entered Lock"]);
    } finally {
      console.error = original;
    }
  });

  it.each([
    [
      "active()",
      {
        active: () => {
          throw new Error("observer bug");
        },
      },
    ],
    [
      "current()",
      {
        current: () => {
          throw new Error("observer bug");
        },
      },
    ],
    [
      "run() before the body",
      {
        run: () => {
          throw new Error("observer bug");
        },
      },
    ],
    [
      "run() after the body",
      {
        run: (_b: unknown, body: () => unknown) => {
          const result = body();
          void result;
          throw new Error("observer bug");
        },
      },
    ],
    ["run() returning something else", { run: () => "not the body's result" }],
  ] as const)(
    "an observer whose %s misbehaves is reported once and removed; the block runs once, as unwatched",
    async (_what, bad) => {
      const reported: unknown[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => void reported.push(args[1]);
      try {
        stops.push(observe(bad as Observer));
        let runs = 0;
        const failure = new Error("block");
        expect(await asyncWith(new Lock(), () => (runs++, 42))).toBe(42);
        await expect(asyncWith(new Lock(), () => (runs++, Promise.reject(failure)))).rejects.toBe(failure);
        expect(runs).toBe(2);
        expect(reported).toHaveLength(1);
      } finally {
        console.error = original;
      }
    },
  );

  it("runs a whole asyncWith block inside run() — enter, body, exit — then its body's call again, and attaches nothing", async () => {
    const log: string[] = [];
    const probe = () =>
      resource(
        () => void log.push("enter"),
        () => void log.push("exit"),
        "probe",
      );
    stops.push(
      observe({
        run: (b, fn, step) => {
          log.push(`run ${b.name} ${step}`);
          const result = fn();
          log.push("run returned");
          return result;
        },
        attach: (b) => void log.push(`attach ${b.name}`),
      }),
    );
    await asyncWith(probe(), () => void log.push("body"));
    expect(log).toEqual(["run probe block", "enter", "run returned", "run probe body", "body", "run returned", "exit"]);
    log.length = 0;
    const held = await enter(probe());
    held.ok();
    await held[Symbol.asyncDispose]();
    // enter(): the body is the caller's code, so the block is attached to it first; run() wraps the enter.
    expect(log).toEqual(["attach probe", "run probe enter", "enter", "run returned", "exit"]);
  });

  it("an observer whose attach() throws is reported once and removed; enter() goes on as unwatched", async () => {
    const reported: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void reported.push(args[1]);
    try {
      const bug = new Error("observer bug");
      stops.push(
        observe({
          attach: () => {
            throw bug;
          },
        }),
      );
      const held = await enter(
        resource(
          () => 7,
          () => {},
          "seven",
        ),
      );
      expect(held.value).toBe(7);
      await held[Symbol.asyncDispose]();
      await enter(
        resource(
          () => 8,
          () => {},
          "eight",
        ),
      ).then((h) => h[Symbol.asyncDispose]());
      expect(reported).toEqual([bug]);
    } finally {
      console.error = original;
    }
  });

  it("costs no microtask tick once nobody watches, and stops reporting after unsubscribe", async () => {
    const m = { [aenter]: async () => 1, [aexit]: async () => false };
    const body = async () => 1;
    const before = await countTicks(() => asyncWith(m, body));
    const { events } = record();
    stops.splice(0).forEach((stop) => stop());
    expect(await countTicks(() => asyncWith(m, body))).toBe(before);
    await asyncWith(m, body);
    expect(events).toEqual([]);
  });

  it("an inactive observer (active() false) sees nothing, and the block takes the unwatched path", async () => {
    const events: string[] = [];
    stops.push(observe({ active: () => false, enter: () => void events.push("enter") }));
    await asyncWith(new Lock(), () => {});
    expect(events).toEqual([]);
  });

  it("rejects a non-object observer", () => {
    expect(() => observe(null as never)).toThrow(TypeError);
    void rejection;
  });
});

it("a block whose signal had already aborted is reported as opened and enter-failed, never left open", async () => {
  const events: string[] = [];
  const stop = observe({
    enter: (b) => void events.push(`enter ${b.name}`),
    entered: (b) => void events.push(`entered ${b.name} ${b.outcome ?? ""}`.trim()),
    exited: (b) => void events.push(`exited ${b.name}`),
  });
  try {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await asyncWith(new Lock(), () => {}, { signal: controller.signal }).catch(() => {});
    expect(events).toEqual(["enter Lock", "entered Lock enter-failed"]);
  } finally {
    stop();
  }
});
