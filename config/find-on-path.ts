// Looks a program up the way execa (and a shell) will when magi runs it.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

// The executable file name resolves to on searchPath (PATH's format), or undefined.
export function findOnPath(name: string, searchPath: string = process.env.PATH ?? ""): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    // An empty or relative entry means a directory that depends on where magi was started: skip it.
    if (!dir || !isAbsolute(dir)) continue;
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      continue;
    }
  }
  return undefined;
}
