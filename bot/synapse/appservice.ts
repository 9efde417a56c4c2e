// Lets tests and the sandbox play mautrix-slack: an appservice whose ghosts post as Slack users.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";

// The tokens Synapse and the appservice use to authenticate each other.
export interface AppserviceTokens {
  asToken: string;
  hsToken: string;
}

// Writes a registration file for Synapse's app_service_config_files; an existing file with the same id keeps its tokens.
export function writeAppserviceRegistration(
  path: string,
  opts: { id: string; senderLocalpart: string; userRegex: string },
): AppserviceTokens {
  let tokens: AppserviceTokens = { asToken: randomBytes(24).toString("hex"), hsToken: randomBytes(24).toString("hex") };
  if (existsSync(path)) {
    const old = parse(readFileSync(path, "utf8")) as { id?: unknown; as_token?: unknown; hs_token?: unknown } | null;
    if (old?.id === opts.id && typeof old.as_token === "string" && typeof old.hs_token === "string") {
      tokens = { asToken: old.as_token, hsToken: old.hs_token };
    }
  }
  const registration = {
    id: opts.id,
    // No URL: Synapse pushes no transactions, the test drives the ghosts itself.
    url: null,
    as_token: tokens.asToken,
    hs_token: tokens.hsToken,
    sender_localpart: opts.senderLocalpart,
    rate_limited: false,
    namespaces: { users: [{ regex: opts.userRegex, exclusive: true }], aliases: [], rooms: [] },
  };
  writeFileSync(path, stringify(registration));
  return tokens;
}

interface MatrixErrorBody {
  errcode?: string;
  user_id?: string;
}

// Registers a ghost in the appservice's namespace and returns its user id; an existing ghost is fine.
export async function registerGhost(baseUrl: string, asToken: string, localpart: string): Promise<string> {
  const headers = { authorization: `Bearer ${asToken}`, "content-type": "application/json" };
  const response = await fetch(`${baseUrl}/_matrix/client/v3/register`, {
    method: "POST",
    headers,
    body: JSON.stringify({ type: "m.login.application_service", username: localpart, inhibit_login: true }),
  });
  const body = (await response.json()) as MatrixErrorBody;
  if (response.ok && body.user_id) return body.user_id;
  if (body.errcode !== "M_USER_IN_USE") {
    throw new Error(`registering ghost ${localpart} → ${response.status} ${JSON.stringify(body)}`);
  }
  // The server name isn't in baseUrl; the appservice's own user id carries it.
  const whoami = await fetch(`${baseUrl}/_matrix/client/v3/account/whoami`, { headers });
  const sender = ((await whoami.json()) as MatrixErrorBody).user_id ?? "";
  const serverName = sender.slice(sender.indexOf(":") + 1);
  return `@${localpart}:${serverName}`;
}
