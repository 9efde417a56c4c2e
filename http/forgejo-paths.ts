// Which hosts a push touches: each host's path globs (hosts/misato/**, modules/**) against the files the push changed.

// Compiles a path glob: ** spans directories, * and ? stay within one path segment.
export function compilePathGlob(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === "*" && glob[i + 1] === "*") {
      // "dir/**" also matches "dir" itself; "**/x" matches "x" at the top.
      const slashAfter = glob[i + 2] === "/";
      source += slashAfter ? "(?:.*/)?" : ".*";
      i += slashAfter ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

// The files each host's globs match, for the hosts with at least one; hosts in order of the paths map.
export function matchHostFiles(paths: Record<string, string[]>, files: string[]): Record<string, string[]> {
  const touched: Record<string, string[]> = {};
  for (const [host, globs] of Object.entries(paths)) {
    const patterns = globs.map(compilePathGlob);
    const hit = files.filter((f) => patterns.some((p) => p.test(f)));
    if (hit.length > 0) touched[host] = hit;
  }
  return touched;
}

// What magi does with a push: announce it, propose deploying hosts, or (mode deploy) deploy every proposed host at
// once; forced pushes and deletions are only announced.
export type PushKind = "announce" | "proposal" | "deploy" | "forced" | "deleted";

// Decides the kind and the hosts a proposal names: with paths, a host that has globs is proposed only when the push touched them.
export function decidePush(
  route: { mode: "announce" | "propose" | "deploy"; hosts: string[]; paths: Record<string, string[]> },
  push: { forced: boolean; deleted: boolean; files: string[] },
): { kind: PushKind; hosts: string[]; touched: Record<string, string[]> } {
  const touched = matchHostFiles(route.paths, push.files);
  if (push.deleted) return { kind: "deleted", hosts: [], touched };
  if (push.forced) return { kind: "forced", hosts: [], touched };
  const hosts = route.hosts.filter((h) => route.paths[h] === undefined || touched[h] !== undefined);
  if (route.mode === "announce" || hosts.length === 0) return { kind: "announce", hosts: [], touched };
  return { kind: "proposal", hosts, touched };
}

// Mode deploy: the hosts deployed at once (no approval policy covers them) and those still proposed for a 🚀.
export function splitDeploys(decided: { kind: PushKind; hosts: string[] }, needsApproval: (host: string) => boolean): { kind: PushKind; hosts: string[]; deployHosts: string[] } {
  if (decided.kind !== "proposal") return { ...decided, deployHosts: [] };
  const deployHosts = decided.hosts.filter((h) => !needsApproval(h));
  const hosts = decided.hosts.filter((h) => needsApproval(h));
  return { kind: hosts.length > 0 ? "proposal" : "deploy", hosts, deployHosts };
}
