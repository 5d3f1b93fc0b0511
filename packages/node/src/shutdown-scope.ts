import { constants } from "node:os";
import { inspect } from "node:util";
import { aenter, aexit, type AsyncContextManager, type Failure } from "@asyncwith/core";
import { checkOptions, expected, reused } from "@asyncwith/core/adapter";
import { _ms } from "./_shared.js";

/** Options of `shutdownScope`: which signals start a shutdown, whether the process then exits, and how long the exits may take. */
export interface ShutdownScopeOptions {
  /**
   * Signals that start the shutdown. Default: `["SIGINT", "SIGTERM", "SIGHUP"]` (Ctrl-C, a service
   * manager's stop, a closed terminal or dropped ssh session), exiting with 130, 143 and 129.
   */
  signals?: NodeJS.Signals[];
  /**
   * After a signal or an uncaught error, exit the process once every exit has run, including those
   * of managers outside the scope (default), or only set `process.exitCode` and return (e.g. in
   * tests, or when more work follows).
   */
  exit?: boolean;
  /**
   * How long the unwinding may take once a shutdown started before the process exits anyway, so
   * that a block which ignores its signal cannot keep a broken process alive. Default: 30,000 ms.
   */
  grace?: number;
}

/**
 * The abort reason when a signal starts the shutdown.
 * @example
 * signal.addEventListener("abort", () => {
 *   if (signal.reason instanceof ShutdownSignal) log.info(`stopping on ${signal.reason.signal}`);
 * });
 */
export class ShutdownSignal extends Error {
  override name = "AbortError";
  /** The conventional exit code: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). */
  readonly exitCode: number;
  constructor(readonly signal: NodeJS.Signals) {
    super(`Received ${signal}: shutting down`);
    this.exitCode = 128 + (constants.signals[signal] ?? 0);
  }
}

let _open = 0; // only the last scope to close ends the process, after the others (inner or beside it) unwound
let _code = 0; // the exit code of this shutdown: the first scope's that had one
const _expected = new Set<unknown>(); // shutdown errors on their way to the top of the program

/**
 * Graceful shutdown for a whole program. The block gets an `AbortSignal` that aborts on SIGINT or
 * SIGTERM (reason: a `ShutdownSignal`), or with the error itself on an uncaught exception or
 * unhandled rejection. Pass it to what the block awaits: the block then throws, every manager
 * inside exits, and the process exits with 130/143 (1 after an uncaught error). A second signal
 * exits at once, and so does a shutdown that takes longer than `grace`. An error the block throws
 * by itself propagates as usual (non-zero exit).
 *
 * @example
 * await asyncWith(shutdownScope(), async (signal) => {
 *   await asyncWith(server(createServer(app), { port: 8080 }), () => once(signal, "abort"));
 * }); // Ctrl-C: the server drains, then the process exits with 130
 */
export function shutdownScope(options: ShutdownScopeOptions = {}): AsyncContextManager<AbortSignal, boolean> {
  checkOptions("shutdownScope()", options, { exit: "boolean" });
  const { signals = ["SIGINT", "SIGTERM", "SIGHUP"], exit = true } = options;
  const grace = _ms("shutdownScope() options.grace", options.grace ?? 30_000);
  if (!Array.isArray(signals) || signals.some((s) => !(s in constants.signals) || s === "SIGKILL" || s === "SIGSTOP")) {
    const got = Array.isArray(signals) ? JSON.stringify(signals) : undefined; // the names themselves say most
    throw expected(
      'shutdownScope() options.signals to be names of signals a process can catch, such as ["SIGINT", "SIGTERM"] (not SIGKILL or SIGSTOP)',
      signals,
      got,
    );
  }
  const controller = new AbortController();
  let state: "new" | "open" | "closed" = "new";
  let code = 0;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let alive: ReturnType<typeof setInterval> | undefined;
  const begin = (reason: unknown) => {
    controller.abort(reason);
    // Unref'd: it never keeps the process alive, but fires if the unwinding does not finish.
    if (exit) (deadline = setTimeout(() => force(`Shutdown took longer than ${grace} ms`), grace)).unref();
  };
  const force = (why: string) => {
    process.stderr.write(`${why}: exiting without waiting for the remaining cleanup\n`);
    process.exit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return force(`Received ${signal} again`);
    const reason = new ShutdownSignal(signal);
    code = reason.exitCode;
    begin(reason);
  };
  const onUncaught = (error: unknown) => {
    if (_expected.has(error)) return; // a sibling scope's shutdown reaching the top: the last scope ends the process
    process.stderr.write(`Uncaught ${inspect(error)}\n`);
    if (controller.signal.aborted) return force("Another uncaught error during shutdown");
    code = 1;
    begin(error);
  };
  const listen = (on: boolean) => {
    const method = on ? "on" : "off";
    for (const signal of signals) process[method](signal, onSignal);
    process[method]("uncaughtException", onUncaught)[method]("unhandledRejection", onUncaught);
  };
  return {
    [aenter]() {
      if (state !== "new") throw reused("shutdownScope");
      state = "open";
      _open++;
      listen(true);
      // Signal listeners keep nothing alive: a block awaiting only its signal would let Node end
      // the program (exit code 13, unsettled top-level await) with no exit run.
      alive = setInterval(() => {}, 2 ** 31 - 1);
      return controller.signal;
    },
    [aexit](failure?: Failure) {
      if (state !== "open")
        throw new TypeError("Expected an entered shutdownScope() manager to exit, got one that was not entered");
      state = "closed";
      _open--;
      listen(false);
      clearInterval(alive);
      if (!controller.signal.aborted) return (clearTimeout(deadline), false); // no shutdown: the block's own outcome stands
      const reason = controller.signal.reason;
      const caused = failure === undefined || _isShutdown(failure.error, reason);
      if (!caused) process.stderr.write(`Error during shutdown: ${inspect(failure.error)}\n`);
      _code ||= caused ? code : code || 1;
      if (!exit) {
        if (_open > 0) return (clearTimeout(deadline), false); // an outer scope finishes the unwinding
        process.exitCode = _code;
        _code = 0; // this shutdown is over: the program goes on, and a later one starts afresh
        return (clearTimeout(deadline), caused);
      }
      process.exitCode = _code;
      // Let the error unwind through the managers outside this scope; when it reaches the top,
      // exit with the code — once every scope closed: an outer one, or a sibling still draining
      // (Promise.all rejects with the first error while the other service unwinds). `deadline`
      // still bounds that unwinding.
      const error = failure === undefined ? reason : failure.error;
      _expected.add(error);
      _exitWhenUncaught(force);
      // If a sibling's error reached the top already, this one's goes nowhere (Promise.all settled):
      // the process then ends on its own once the managers outside this scope are done, with the
      // exit code set, or at `deadline` if something keeps it alive.
      if (failure === undefined) throw reason; // the block returned, but the program is shutting down
      return false;
    },
  };
}

/**
 * Once a shutdown's error reaches the top of the program (no outer code caught it), exit quietly
 * with the shutdown's code — it is the expected end, not a crash — or, while another scope still
 * unwinds, let that one finish first. Anything else uncaught is printed and exits too. One
 * listener for the process, however many scopes shut down.
 */
function _exitWhenUncaught(force: (why: string) => void): void {
  if (process.listeners("uncaughtException").includes(_onTop)) return;
  _force = force;
  process.on("uncaughtException", _onTop);
}

let _force: (why: string) => void = () => {};
function _onTop(uncaught: unknown): void {
  if (!_expected.has(uncaught)) {
    process.stderr.write(`Uncaught ${inspect(uncaught)}\n`);
    return _force("Another uncaught error during shutdown");
  }
  // One scope shut down and closed: its error at the top is the very end. Several (services side by
  // side): the others' outer managers may still be unwinding — a rejected Promise.all does not wait
  // for them — so the process ends on its own when they are done (the exit code is set), or at the
  // grace deadline if something keeps it alive.
  if (_open === 0 && _expected.size === 1) process.exit(_code);
}

/** Whether the block failed because of the shutdown: the reason itself, or an AbortError it caused. */
function _isShutdown(error: unknown, reason: unknown): boolean {
  if (error === reason) return true;
  const e = error as { name?: unknown; cause?: unknown } | null;
  return e?.name === "AbortError" && (e.cause === reason || e.cause === undefined);
}
