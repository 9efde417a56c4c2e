// One Synapse install at a time per venv: npm ci's background prefetch and a sandbox start may race for it.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

// True while a process with this pid exists (signal 0 only checks).
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

// The pid holding the lock, or undefined when the file is missing, unreadable or names a dead process.
function readHolder(lockPath: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

// Takes the lock, first waiting for a live holder to finish (calling onWait once); a dead holder's lock is taken over.
// Returns the release function.
export async function takeInstallLock(lockPath: string, onWait: (pid: number) => void = () => {}, pollMs = 500): Promise<() => void> {
  let told = false;
  for (;;) {
    try {
      const fd = openSync(lockPath, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(lockPath);
    if (holder === undefined) {
      // A crashed installer left it behind; the venv it half-built is completed by whoever installs next.
      rmSync(lockPath, { force: true });
      continue;
    }
    if (!told) onWait(holder);
    told = true;
    await sleep(pollMs);
  }
}
