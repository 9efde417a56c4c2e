// Request authentication: a bearer token, or the password of HTTP basic auth (what Alertmanager's http_config sends).
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

// Reads a secret from the first line of a file; an empty one is refused, since it would let anyone in.
export function readSecret(path: string, configPath: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${configPath}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}); it must hold the secret on its first line, readable by the user magi runs as`);
  }
  const secret = (text.split("\n")[0] ?? "").trim();
  if (secret === "") throw new Error(`${configPath}: ${path} is empty (put the secret on its first line)`);
  return secret;
}

// The secret a request presents in its Authorization header, if any.
function presentedSecret(header: string | undefined): string | undefined {
  const match = /^(Bearer|Basic)\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return undefined;
  if (match[1]!.toLowerCase() === "bearer") return match[2];
  const decoded = Buffer.from(match[2]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

const digest = (value: string) => createHash("sha256").update(value).digest();

// Tells whether a presented value is the secret; compared over equal-length digests in constant time.
export function matchesSecret(presented: string, secret: string): boolean {
  return timingSafeEqual(digest(presented), digest(secret));
}

// Tells whether the header carries the secret.
export function checkCredentials(header: string | undefined, secret: string): boolean {
  const presented = presentedSecret(header);
  return presented !== undefined && matchesSecret(presented, secret);
}
