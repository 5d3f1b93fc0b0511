// Children must not outlive a parent that dies without unwinding. Not exported from the package.
//
// Through signal-exit, the ecosystem's one exit hook: its emitter is process-wide and shared by
// every copy of it, so this package's ESM and CJS builds, and ora, execa or write-file-atomic in
// the same process, all agree on who handles a fatal signal. Two hand-written hooks each saw the
// other's listener, each assumed the other would end the process, and SIGTERM was swallowed.
import { onExit } from "signal-exit";
import type { _Group } from "./_group.js";

type _Live = Pick<_Group, "signal">;

const _live = new Set<_Live>();
let _unhook: (() => void) | undefined;

/**
 * Kills `target`'s process group (SIGKILL, synchronously, while it is provably still ours) if this
 * process ends while it is registered: on `process.exit()`, an uncaught error, or a fatal signal
 * that no other listener handles (signal-exit then re-raises it, so the process still dies of it,
 * its default action restored). SIGKILL of this process cannot be caught: children survive that.
 * Returns the function that unregisters it.
 */
export function _killOnExit(target: _Live): () => void {
  _unhook ??= onExit(_killAll);
  _live.add(target);
  return () => {
    _live.delete(target);
    if (_live.size > 0) return;
    _unhook?.();
    _unhook = undefined;
  };
}

function _killAll(): void {
  for (const target of _live) target.signal("SIGKILL"); // only what is provably still ours
  _live.clear();
}
