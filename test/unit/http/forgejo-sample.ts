// A push webhook body in Forgejo's documented format (pretty-printed JSON, as Forgejo sends it), for the unit tests.
export const BEFORE = "1111111111111111111111111111111111111111";
export const AFTER = "3d5e8f0a9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e";
export const ZERO = "0000000000000000000000000000000000000000";

// A push of two commits to team/nixos-config main; override fields to vary it.
export function makePush(over: Record<string, unknown> = {}): Record<string, unknown> {
  const commit = (id: string, message: string, files: { added?: string[]; removed?: string[]; modified?: string[] }) => ({
    id, message, url: `https://git.example.org/team/nixos-config/commit/${id}`,
    author: { name: "Dan", email: "dan@example.org", username: "dan" },
    committer: { name: "Dan", email: "dan@example.org", username: "dan" },
    verification: null, timestamp: "2026-11-29T10:00:00Z",
    added: files.added ?? [], removed: files.removed ?? [], modified: files.modified ?? [],
  });
  const first = commit("2c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c", "misato: enable k3s\n", { modified: ["hosts/misato/default.nix"] });
  const head = commit(AFTER, "bump nixpkgs\n\nweekly update", { modified: ["flake.lock", "modules/k3s.nix"], added: ["hosts/kaji/extra.nix"] });
  return {
    ref: "refs/heads/main", before: BEFORE, after: AFTER,
    compare_url: `https://git.example.org/team/nixos-config/compare/${BEFORE}...${AFTER}`,
    commits: [first, head], total_commits: 2, head_commit: head,
    repository: { id: 7, owner: { login: "team" }, name: "nixos-config", full_name: "team/nixos-config", private: true },
    pusher: { id: 3, login: "dan", username: "dan", full_name: "Dan" },
    sender: { id: 3, login: "dan", username: "dan" },
    ...over,
  };
}

// The exact bytes Forgejo would send for a payload: two-space indented JSON.
export const toBody = (payload: unknown) => JSON.stringify(payload, null, "  ");
