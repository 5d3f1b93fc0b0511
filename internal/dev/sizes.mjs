// Bundle sizes, min+gzip, as a user's bundler ships them (esbuild, ESM, tree-shaken), with their
// budgets in one place: the packages' size tests, `pnpm bench` and `npm run sizes` all read these.
import { createRequire } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = new URL("../..", import.meta.url).pathname;
const dist = (pkg, file = "index.js") => join(root, "packages", pkg, "dist", file);
const coreJs = createRequire(join(root, "packages/core/package.json")).resolve(
  "core-js-pure/actual/async-disposable-stack/index.js",
);

/** What each figure bundles, and its budget in bytes (a ratchet at the measured size plus a little room). */
export const sizes = [
  { label: "core: asyncWith alone", exports: { [dist("core")]: ["asyncWith"] }, budget: 1475 }, // + 9 B: toManager keeps typeof checks (Object(x) === x, 20 B smaller, made every block ~4% slower on Node 20 in an A/B); + 6 B: the enter checks its options only when given (one call fewer per block: an A/B on Node 24 showed asyncWith ~3% slower with signalOf called every time); + 109 B: enter options that are not { signal } refused (a signal needs addEventListener and removeEventListener: a granted waiter unsubscribes) with Expected…got (a number where the options go, a signal that is not an AbortSignal, were silently ignored: a block meant to be cancellable waited forever); - 92 B: one SuppressedError ponyfill per realm, shared by every copy under a registered symbol (no Symbol.hasInstance brand check), its inspect hook trusting the inspect all three runtimes pass, Object(x) === x object checks; + the lifecycle's slots shared by every copy of core in the realm (ESM + CJS, a bundled copy): observe()/detectLeaks() through one copy saw nothing another ran; + the spec-faithful SuppressedError ponyfill (via disposables), + the observer slot (#16); + the watched steps inline in the one lifecycle, + enter options and the aborted-signal check (#21)
  { label: "core: contextManager alone", exports: { [dist("core")]: ["contextManager"] }, budget: 1105 }, // - 8 B: Object(x) === x in describe(); + the shared slots (leak tracking across copies); + its name in every error (#14) and in traces (#16); + enterOptions()/exitOptions() around each resume (#21)
  // The Foundation issue's goal for these three is 1,536 bytes: not met (the core README, "Performance and size", says why).
  {
    label: "core: asyncWith + contextManager + AsyncExitStack",
    exports: { [dist("core")]: ["asyncWith", "contextManager", "AsyncExitStack"] },
    budget: 3495,
    goal: 1536,
  }, // + ~20 B: typeof object checks kept on the hot paths (toManager, use(): Object(x) === x was slower on Node 20), the enter's options checked only when given (#21 perf); + 96 B: enter options that are not { signal } refused, not ignored; - 91 B: one SuppressedError ponyfill per realm (shared, no brand check), a leaner inspect hook, Object(x) === x object checks; + the slots shared by every copy of core (observation and leak tracking across ESM/CJS/bundled copies, +16 B); + declared suppression for contextManager (#13); + watched stack entries through the unwinder, not a copy, + enter options, + exit options through the stack (#21): to be won back. RAISED (#21 asks for budgets that only go down): not met, see the #21 note. Now ~305 B over the 3,150 before #21: the ~315 B #21 added, less the 72 B won back (the shared ponyfill), plus ~115 B for refusing bad enter options and keeping the checks off the unwatched path's time. What those ~315 B buy, measured by removing each: the watched steps inside the one path ~145 B, enterOptions()/exitOptions() around each resume ~60 B, enter/exit options and the aborted-signal check the rest
  { label: "core: the whole package", exports: { [dist("core")]: "*" }, budget: 8595 }, // + typeof object checks on the hot paths, options checked only when given (perf); + checkOptions() shared with the adapters through @asyncwith/core/adapter (options that are not an object, settings of the wrong type); + new Condition(lock) refuses a non-Lock when made; + detectLeaks()'s warn checked when turned on and isolated when it throws (it crashed the process from the collector), exitWithin()'s and concurrently()'s options checked (one checkOption); + the exit deadline reaches concurrently()'s exits and cancels a TaskGroup's tasks; + options that are not { signal } refused by the enter, the waits and the scopes (one check, signalOf); - one shared SuppressedError ponyfill; the shared slots, and leak tracking with each target its own unregister token (no WeakMap of tokens); + cancellation (#15), observe(), formatError, detectLeaks (#16); + formatError that never throws, observers isolated, cancellable enters, iterative abort propagation, exit deadlines everywhere (#21): to be won back
  {
    label: "@asyncwith/browser, beyond core",
    exports: { [dist("browser")]: "*" },
    external: ["@asyncwith/core"],
    budget: 3275,
    goal: 2048,
  }, // + webLock() and openDatabase() refuse options that are not an object, a steal/ifAvailable that is not a boolean ("no" would steal), an upgrade/blocked that is not a function (~55 B); ratcheted to the measured size (3,218) before that; tx.waitFor() and the async-upgrade refusal (#12) cost ~170 B; the enter's signal in webLock and openDatabase (#21); #24 ~1 KB, most of it the text of errors and warnings that say what happened and what to do: waitFor's timeout and signal, openDatabase's signal/timeout/blocked warning/close on versionchange (aborting the connection's running transactions), webLock's release on pagehide
  {
    label: "@asyncwith/postgres, beyond core",
    exports: { [dist("postgres")]: "*" },
    external: ["@asyncwith/core"],
    budget: 6390, // + a held fenced lock remembers its fence table's schema and checkFence reads that table (another schema's asyncwith_fence found through the checking session's search_path let a lost holder with an equal stale token write), ~120 B, most of it the SQL; + connection() refuses options that are not an object (a number was ignored); + connection()'s reset given up at an exit deadline, the session destroyed rather than pooled (#21, ~20 B); + a deadline's cancel on the caller's connection spares a statement started after the abort (the caller's own next one, after an abandoned exit: it could be cancelled), ~140 B, most of it the SQL; + clients watched from the pool's hand-over (connect(callback)): a FATAL read with the hand-over crashed the process; + a cancel sent at a deadline awaited before the next statement (it landed on the caller's next one); + a destroyed pooled client keeps its error listener; + fencing tokens: advisoryLock(…, { fence: true }) and checkFence (#22, ~660 B, most of it SQL and the errors' text); + the held lock's signal made when first read, the session watch and the held lock as classes (an AbortController and two getter literals per block cost ~3 µs, more than the rest of its JS: #22 bench); + exit deadlines that cut the release short: a left-running statement cancelled so the ROLLBACK/unlock behind it runs, a pooled lock's session ended, and the error that says so (#21); + a server statement_timeout that fires before the timer is the same TimeoutError (#22); + the airtight boundary (#22): fair cancellable waits, validated options, timeout/signal that cancel on the server, retryOnConflict, savepoints that cannot outlive their transaction, clean pooled sessions, locks that know when they are lost, a COMMIT of unknown outcome — most of it the text of errors that say what happened and how to fix it; + the enter's signal honoured while a pool has no spare connection (#21); + the transaction handle as a class (no WeakMap entry per transaction: about half the JS cost); + retryInterval checked, one abort listener per polling wait
  },
  {
    label: "@asyncwith/otel, beyond core",
    exports: { [dist("otel")]: "*" },
    external: ["@asyncwith/core", "@opentelemetry/api"],
    budget: 720, // + spans over enter and exit, error.type, enter() bodies in the span's context (#21)
  },
  {
    label: "@asyncwith/edge (and /hono), beyond core",
    exports: { [dist("edge")]: "*", [dist("edge", "hono.js")]: "*" },
    external: ["@asyncwith/core", "hono"],
    budget: 3470, // + durableLock() refuses options that are not an object (a ttl where the options go); + d1Batch's exit stops waiting for D1's reply at an exit deadline, with the error that says the batch may have been applied (#21, ~105 B, most of it that text); + DurableLock.remembered, the withdrawals bound a subclass may change, checked when the object is made (its test needs 5 requests, not 1,025 that timed out on a busy machine); + the lock object remembers at most 1,024 withdrawals of requests not yet arrived, oldest forgotten first (unbounded before); + durableLock's release cut short at an exit deadline, with the error that says the lease still bounds it (#21); + durableLock's withdrawable waits: the enter's signal leaves the object's queue (#21); + exits that wait for a streamed body (#24, ~980 B): the body wrapper, scope.signal on disconnect, exitAfterBody's deferred exit, the Hono middleware through a RequestScope and onStreamError
  },
  {
    label: "@asyncwith/node, beyond core",
    exports: { [dist("node")]: "*" },
    external: ["@asyncwith/core"],
    platform: "node",
  },
  { label: "core-js-pure AsyncDisposableStack + SuppressedError (for comparison)", exports: { [coreJs]: ["default"] } },
];

/** min+gzip bytes of a bundle exporting `exports` ({ file: names[] | "*" }). */
export async function measure({ exports, external = [], platform = "neutral" }) {
  const contents = Object.entries(exports)
    .map(([file, names]) =>
      names === "*"
        ? `export * from ${JSON.stringify(file)};`
        : `export { ${names.join(", ")} } from ${JSON.stringify(file)};`,
    )
    .join("\n");
  const result = await build({
    stdin: { contents, resolveDir: root },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform,
    external,
    write: false,
    logLevel: "silent",
  });
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length;
}

/** Every figure with its budget, and which are over. */
export async function measureAll() {
  const rows = [];
  for (const size of sizes) {
    const bytes = await measure(size);
    rows.push({
      bundle: size.label,
      "bytes (min+gzip)": bytes,
      budget: size.budget ?? "",
      goal: size.goal ?? "",
      over: size.budget !== undefined && bytes > size.budget,
    });
  }
  return rows;
}
