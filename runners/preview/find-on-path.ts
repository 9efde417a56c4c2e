// Whether a program is on magi's PATH, for `deploy.preview: auto` (preview when nix is installed).
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

// True when PATH has an executable of that name.
export function isOnPath(program: string, path = process.env.PATH ?? ""): boolean {
  return path.split(delimiter).filter(Boolean).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
