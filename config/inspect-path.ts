// What stands in the way of magi using a path on this machine, in words for a config message.
import { accessSync, constants, statSync, type Stats } from "node:fs";
import { dirname } from "node:path";

// Why path cannot be used as a file (or directory) magi reads, or undefined when it can.
export function inspectPath(path: string, kind: "file" | "directory", access: number = constants.R_OK): string | undefined {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return "does not exist";
    return `cannot be read (${code ?? String(error)})`;
  }
  if (kind === "file" && !stats.isFile()) return stats.isDirectory() ? "is a directory, not a file" : "is not a regular file";
  if (kind === "directory" && !stats.isDirectory()) return "is not a directory";
  try {
    accessSync(path, access);
  } catch {
    return `is not ${access & constants.W_OK ? "writable" : "readable"} by this user (uid ${process.getuid?.() ?? "?"})`;
  }
  return undefined;
}

// The nearest directory at or above path that exists: where creating path would start.
export function findExistingAncestor(path: string): string {
  let here = path;
  for (;;) {
    try {
      statSync(here);
      return here;
    } catch {
      const up = dirname(here);
      if (up === here) return here;
      here = up;
    }
  }
}
