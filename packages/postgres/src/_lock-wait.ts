// How advisoryLock waits for its lock. Not exported from the package.
import { _cancelRunning, _canCancel, _evenIfCancelled } from "./_deadline.js";
import { _sleep, type Queryable } from "./_shared.js";

/**
 * Takes the lock on `client`: at once or not at all (`wait: false`); waiting in the server's queue
 * (first come, first served); and, with a signal, still in that queue — an abort cancels the
 * waiting statement on the server. Only a client whose statements cannot be cancelled from outside
 * (PGlite) polls `pg_try_advisory_lock` every `retry` ms while a signal may abort.
 */
export async function _acquire(
  client: Queryable,
  id: bigint,
  suffix: string,
  wait: boolean,
  signal: AbortSignal | undefined,
  retry: number,
): Promise<void> {
  if (!wait || (signal && !_canCancel(client))) return _tryUntil(client, id, suffix, wait, signal, retry);
  if (!signal) return void (await client.query(`SELECT pg_advisory_lock${suffix}($1::bigint)`, [id.toString()]));
  signal.throwIfAborted();
  let waiting = true;
  // Cancel until the wait ends: a cancel that reached the session before the lock query did is lost.
  const onAbort = async () => {
    while (waiting) {
      await _cancelRunning(client).catch(() => {}); // the server gone too: the wait fails on its own
      if (waiting) await _sleep(retry, undefined);
    }
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await client.query(`SELECT pg_advisory_lock${suffix}($1::bigint)`, [id.toString()]);
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  } finally {
    waiting = false;
    signal.removeEventListener("abort", onAbort);
  }
  // Granted just as the abort came: keep the promise of the signal — give it back.
  if (signal.aborted) {
    // A cancel sent a moment before the grant may land on this unlock: then once more.
    await _evenIfCancelled(() => client.query(`SELECT pg_advisory_unlock${suffix}($1::bigint)`, [id.toString()]));
    throw signal.reason;
  }
}

/** Polls `pg_try_advisory_lock`: once (`wait: false`, then `ELOCKED`), or until the signal aborts. */
async function _tryUntil(
  client: Queryable,
  id: bigint,
  suffix: string,
  wait: boolean,
  signal: AbortSignal | undefined,
  retry: number,
): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    const { rows } = await client.query(`SELECT pg_try_advisory_lock${suffix}($1::bigint) AS locked`, [id.toString()]);
    if ((rows[0] as { locked: boolean }).locked) return;
    if (!wait)
      throw Object.assign(
        new Error(
          `Expected advisory lock ${id} to be free, got it held by another session; leave options.wait at true to wait for it.`,
        ),
        { code: "ELOCKED" },
      );
    await _sleep(retry * (0.5 + Math.random()), signal);
  }
}
