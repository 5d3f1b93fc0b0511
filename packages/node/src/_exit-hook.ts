// Children must not outlive a parent that dies without unwinding. Not exported from the package.
import type { _Group } from "./_group.js";

type _Live = Pick<_Group, "signal">;

const _live = new Set<_Live>();
// Fatal by default: without a listener Node dies at once, running neither exits nor 'exit' hooks.
const _fatal: NodeJS.Signals[] = process.platform === "win32" ? [] : ["SIGHUP", "SIGINT", "SIGTERM"];

/**
 * Kills `target`'s process group (SIGKILL, synchronously, while it is provably still ours) if this process ends while it is
 * registered: on `process.exit()`, an uncaught error, or a fatal signal nobody else handles (the
 * signal is then re-raised, so the process still dies of it). SIGKILL of this process cannot be
 * caught: children survive that. Returns the function that unregisters it.
 */
export function _killOnExit(target: _Live): () => void {
  if (_live.size === 0) _listen(true);
  _live.add(target);
  return () => {
    _live.delete(target);
    if (_live.size === 0) _listen(false);
  };
}

function _listen(on: boolean): void {
  const method = on ? "on" : "off";
  process[method]("exit", _killAll);
  for (const signal of _fatal) process[method](signal, _onFatal);
}

function _killAll(): void {
  for (const target of _live) target.signal("SIGKILL"); // only what is provably still ours
  _live.clear();
}

function _onFatal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return; // someone else handles it (e.g. shutdownScope): exits will run
  _killAll();
  _listen(false);
  process.kill(process.pid, signal); // as if we had never listened: die of the signal
}
