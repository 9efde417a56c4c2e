// Reads what NixOS says about itself: `nixos-version --json` and the readlink of its system links.
import type { NixosVersion, SystemLinks } from "./types.ts";

const STORE_PATH = /^\/nix\/store\/[^/\s]+$/;
// The system profile points at a sibling link named after its generation: system-42-link.
const PROFILE_LINK = /(?:^|\/)system-(\d+)-link$/;

function readString(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

// Parses `nixos-version --json`; old releases without --json print "24.05.1234.abc (Uakari)" for any flag.
export function parseNixosVersion(stdout: string): NixosVersion | undefined {
  const text = stdout.trim();
  if (text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const record = parsed as Record<string, unknown>;
    const version = readString(record, "nixosVersion");
    if (!version) return undefined;
    const nixpkgsRevision = readString(record, "nixpkgsRevision");
    const configurationRevision = readString(record, "configurationRevision");
    return { version, ...(nixpkgsRevision ? { nixpkgsRevision } : {}), ...(configurationRevision ? { configurationRevision } : {}) };
  }
  const plain = /^(\d\d\.\d\d\S*) \([A-Za-z]+\)$/.exec(text);
  return plain ? { version: plain[1]! } : undefined;
}

// Parses readlink's output for current-system, booted-system and the system profile, in that order.
// readlink skips links that do not exist, so lines are told apart by shape, not position.
export function parseSystemLinks(stdout: string): SystemLinks | undefined {
  const lines = stdout.split("\n").map((l) => l.trim()).filter(Boolean);
  const [current, booted] = lines.filter((l) => STORE_PATH.test(l));
  if (!current) return undefined;
  const generation = lines.map((l) => PROFILE_LINK.exec(l)?.[1]).find((g) => g !== undefined);
  return { current, ...(booted ? { booted } : {}), ...(generation ? { generation: Number(generation) } : {}) };
}
