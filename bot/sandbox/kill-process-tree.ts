// Ends a process and everything it started, as a machine going down would: a demo host's sshd and
// every session under it (magi's open connections included), not just the listener.
import { readdirSync, readFileSync } from "node:fs";

// Parent pid of every process, from /proc/<pid>/stat (field 4, after the parenthesised name).
function readParents(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  return parents;
}

function listTree(root: number): number[] {
  const parents = readParents();
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

// Freezes the tree (a stopped process cannot fork or be reparented away) until no new process
// appears, then kills every one of them.
export function killProcessTree(root: number): void {
  const frozen = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const fresh = listTree(root).filter((pid) => !frozen.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) (signal(pid, "SIGSTOP"), frozen.add(pid));
  }
  for (const pid of frozen) signal(pid, "SIGKILL");
}
