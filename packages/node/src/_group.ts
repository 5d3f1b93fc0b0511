// A child's process group, signalled only while it provably still holds our processes. Not
// exported from the package.
//
// Why: once the child (the group's leader) has been reaped, its pid — the group's id — stays
// reserved only while some process is still in the group. When the last one exits, the kernel may
// hand the number to an unrelated process, and `kill(-pid)` would then signal someone else's group.
// So after the leader is gone, the group is ours only while a member we already knew is still
// alive: a process cannot die and come back, so one that lived through the whole time kept the
// number reserved. Members are known by pid and start time (/proc), which a reused pid cannot match.
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const _linux = process.platform === "linux";

export class _Group {
  readonly child: ChildProcess;
  /** Whether the child leads its own process group (signalled as a whole) or is signalled alone. */
  readonly group: boolean;
  #known = new Map<number, string>(); // members seen while the group was provably ours: pid → start time
  #gone = false;

  constructor(child: ChildProcess, group: boolean) {
    this.child = child;
    this.group = group;
    // The leader is reaped in the same event-loop turn that emits 'exit': the members found now
    // kept the number reserved since (a number is recycled only after the whole pid space).
    if (group && _linux) child.once("exit", () => this.#scan());
  }

  /** Whether the leader has not been reaped: while it has not, its pid (the group's id) is ours. */
  get #leaderHeld(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Whether anything of the group still runs (zombies do not count: a grandchild that died waits
   * for init to reap it). After the leader, only while a known member lived through; outside Linux
   * (no /proc to prove it) the group is left alone once its leader is gone.
   */
  running(): boolean {
    if (this.#leaderHeld) return true;
    if (!this.group || this.#gone) return false;
    if (![...this.#known].some(([pid, start]) => _stat(pid)?.start === start)) {
      this.#gone = true; // nobody we knew lived through: the number may be anyone's now
      return false;
    }
    return this.#scan();
  }

  /** Sends `signal` to the group while it is provably ours (or to the child alone); false when nothing was signalled. */
  signal(signal: NodeJS.Signals): boolean {
    try {
      if (!this.group) return this.#leaderHeld && this.child.kill(signal);
      if (!this.running()) return false;
      process.kill(-this.child.pid!, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Learns the group's members now (it is provably ours when called); whether one is not a zombie. */
  #scan(): boolean {
    const members = _members(this.child.pid!);
    this.#known = new Map([...members].map(([pid, stat]) => [pid, stat.start]));
    if (members.size === 0) this.#gone = true;
    return [...members.values()].some((stat) => stat.state !== "Z");
  }
}

/** A process's state and start time (clock ticks since boot), from /proc/<pid>/stat; undefined once it is gone. */
function _stat(pid: number): { state: string; group: number; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // the name may hold spaces and parentheses
    return { state: fields[0]!, group: Number(fields[2]), start: fields[19]! };
  } catch {
    return undefined;
  }
}

/** Every process in group `pgid`, zombies included. */
function _members(pgid: number): Map<number, { state: string; start: string }> {
  const found = new Map<number, { state: string; start: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = _stat(Number(entry));
    if (stat?.group === pgid) found.set(Number(entry), stat);
  }
  return found;
}
