// The two JSON files an agenix team keeps so magi can enroll without Nix: the keys file (name → public key line, read by
// secrets.nix through builtins.fromJSON) and the files file (secret file → the names that may decrypt it). See docs/enrollment.md.
import { posix } from "node:path";

// Public keys by name: people's age recipients or SSH keys, hosts' ssh-ed25519 host keys.
export type AgenixKeys = Record<string, string>;

// Secret files (relative to the files file's directory, as in secrets.nix) and the key names that may decrypt each.
export type AgenixFiles = Record<string, string[]>;

// Parses JSON text into a plain object, or says why the file can't be used.
function parseObject(text: string, path: string): Record<string, unknown> | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `${path} is not JSON: ${(error as Error).message}`;
  }
  return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : `${path} is not a JSON object`;
}

// Reads the keys file: every value one public key line.
export function parseAgenixKeys(text: string, path: string): AgenixKeys | string {
  const data = parseObject(text, path);
  if (typeof data === "string") return data;
  const bad = Object.entries(data).find(([, v]) => typeof v !== "string");
  return bad ? `${path}: the key of ${bad[0]} is not a string (one public key line per name)` : (data as AgenixKeys);
}

// Reads the files file: every value a list of key names.
export function parseAgenixFiles(text: string, path: string): AgenixFiles | string {
  const data = parseObject(text, path);
  if (typeof data === "string") return data;
  const bad = Object.entries(data).find(([, v]) => !Array.isArray(v) || v.some((n) => typeof n !== "string"));
  return bad ? `${path}: ${bad[0]} must list key names, like ["admin", "vps"]` : (data as AgenixFiles);
}

// The type and base64 of a key line, without its comment: two lines naming the same key compare equal.
export function stripKeyComment(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(" ");
}

// Sets the host's key in the keys file (two-space JSON, the order kept, a new name last); refuses to overwrite another
// key without replace. previous is the key it held before.
export function editAgenixKeys(keys: AgenixKeys, host: string, keyLine: string, replace: boolean, path: string): { text: string; changed: boolean; previous?: string } | string {
  const previous = keys[host];
  const line = stripKeyComment(keyLine);
  if (previous !== undefined && stripKeyComment(previous) !== line && !replace) {
    return `${path} already has another key for ${host} (${previous.slice(0, 40)}…); if the host was reinstalled, use --replace`;
  }
  const changed = previous === undefined || stripKeyComment(previous) !== line;
  const next = { ...keys, [host]: changed ? line : previous! };
  return { text: `${JSON.stringify(next, null, 2)}\n`, changed, ...(previous !== undefined ? { previous } : {}) };
}

// The files a host's name appears in, as repository paths, with the key lines each is to be encrypted to (names without
// a key yet are left out, as the secrets.nix pattern does).
export function listAgenixFiles(files: AgenixFiles, keys: AgenixKeys, host: string, filesPath: string): { file: string; recipients: string[] }[] {
  const base = posix.dirname(filesPath);
  return Object.entries(files)
    .filter(([, names]) => names.includes(host))
    .map(([file, names]) => ({ file: posix.normalize(posix.join(base, file)), recipients: [...new Set(names.flatMap((n) => (keys[n] ? [stripKeyComment(keys[n])] : [])))] }));
}
