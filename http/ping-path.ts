// Reads a healthchecks.io ping URL: /ping/<uuid>[/start|/fail|/log|/<0-255>] or /ping/<ping-key>/<slug>[...], with an
// optional ?rid=<uuid>. Anything else (dots, percent-escapes, extra segments, exit 256) is malformed: nothing a
// client sends is decoded or normalised into something else.
import { PING_KEY_PATTERN, SLUG_PATTERN, UUID_PATTERN } from "../domain/check-names.ts";
import type { PingKind } from "../runners/checks/types.ts";

// The prefix every ping URL starts with.
export const PING_PREFIX = "/ping/";

// Which check a ping names.
export type PingTarget = { uuid: string } | { key: string; slug: string };

// A well-formed ping URL.
export interface PingAddress {
  target: PingTarget;
  kind: PingKind;
  exit: number | null;
  rid: string | null;
}

const EXIT_PATTERN = /^(0|[1-9][0-9]{0,2})$/;

// The action named by the segments after the check, or a reason it is malformed.
function readAction(rest: string[]): Pick<PingAddress, "kind" | "exit"> | string {
  if (rest.length === 0) return { kind: "success", exit: null };
  if (rest.length > 1) return "too many path segments after the check";
  const word = rest[0]!;
  if (word === "start" || word === "fail" || word === "log") return { kind: word, exit: null };
  if (!EXIT_PATTERN.test(word) || Number(word) > 255) return `expected /start, /fail, /log or an exit status 0-255 after the check, got "${word.slice(0, 40)}"`;
  const exit = Number(word);
  return { kind: exit === 0 ? "success" : "fail", exit };
}

// The ping a raw request URL (path and query, as received) addresses, or a reason for a 400.
export function parsePingUrl(rawUrl: string): PingAddress | string {
  const query = rawUrl.indexOf("?");
  const path = query < 0 ? rawUrl : rawUrl.slice(0, query);
  if (!path.startsWith(PING_PREFIX)) return "not a ping URL";
  const segments = path.slice(PING_PREFIX.length).replace(/\/$/, "").split("/");
  if (segments.some((s) => s === "" || /[^A-Za-z0-9_-]/.test(s))) return "malformed ping URL: path segments may hold only letters, digits, dashes and underscores";
  let target: PingTarget;
  let rest: string[];
  if (UUID_PATTERN.test(segments[0]!)) {
    target = { uuid: segments[0]!.toLowerCase() };
    rest = segments.slice(1);
  } else if (PING_KEY_PATTERN.test(segments[0]!) && segments.length >= 2 && SLUG_PATTERN.test(segments[1]!)) {
    target = { key: segments[0]!, slug: segments[1]! };
    rest = segments.slice(2);
  } else {
    return "malformed ping URL: expected /ping/<uuid> or /ping/<ping-key>/<slug>";
  }
  const action = readAction(rest);
  if (typeof action === "string") return action;
  const params = new URLSearchParams(query < 0 ? "" : rawUrl.slice(query + 1));
  const rid = params.get("rid");
  if (rid !== null && !UUID_PATTERN.test(rid)) return "rid must be a uuid";
  return { target, ...action, rid: rid?.toLowerCase() ?? null };
}
