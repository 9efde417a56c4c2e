// Glob patterns for Matrix IDs, used to match bridged Slack ghosts.

// Compiles a glob where * and ? match within one part of a Matrix ID: they never cross ":" so a pattern can't be satisfied by another server.
export function compileGlob(glob: string): RegExp {
  let source = "";
  for (const char of glob) {
    if (char === "*") source += "[^:]*";
    else if (char === "?") source += "[^:]";
    else source += char.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
