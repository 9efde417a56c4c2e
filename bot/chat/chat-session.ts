// Works out who `magi chat` logs in as and where: the sandbox's demo user by default, or explicit flags.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseSandboxState, SANDBOX_USERS, sandboxStatePath, type SandboxUserName } from "../sandbox/sandbox-state.ts";

// Everything the chat needs to talk to one room; password is kept so a stale token can be replaced.
export interface ChatSession {
  homeserverUrl: string;
  roomId: string;
  userId?: string;
  accessToken?: string;
  password?: string;
}

// The usage text, also printed for --help.
export const CHAT_USAGE = `usage:
  magi chat [--sandbox DIR] [--as demo|ritsuko]   chat as a sandbox user (reads DIR/sandbox.json; default .sandbox, as demo)
  magi chat --homeserver URL --room !id:server (--user @u:server --password P | --token-env NAME)`;

// A session, or a message for the user and the exit code to leave with.
export type SessionResult = { ok: true; session: ChatSession } | { ok: false; message: string; code: number };

// Reads the flags (and the sandbox file if no explicit homeserver is given); nothing here touches the network.
export function resolveSession(args: string[], env: NodeJS.ProcessEnv = process.env): SessionResult {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        sandbox: { type: "string" },
        as: { type: "string" },
        homeserver: { type: "string" },
        user: { type: "string" },
        password: { type: "string" },
        room: { type: "string" },
        "token-env": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    return { ok: false, message: `${(error as Error).message}\n${CHAT_USAGE}`, code: 2 };
  }
  if (values.help) return { ok: false, message: CHAT_USAGE, code: 0 };

  const explicit = values.homeserver ?? values.room ?? values.user ?? values.password ?? values["token-env"];
  if (explicit !== undefined) {
    if (values.as !== undefined) return { ok: false, message: `--as picks a sandbox user; with --homeserver give --user instead\n${CHAT_USAGE}`, code: 2 };
    if (!values.homeserver || !values.room) return { ok: false, message: `--homeserver and --room go together\n${CHAT_USAGE}`, code: 2 };
    const session: ChatSession = { homeserverUrl: values.homeserver.replace(/\/+$/, ""), roomId: values.room };
    if (values.user) session.userId = values.user;
    if (values["token-env"]) {
      const token = env[values["token-env"]]?.trim();
      if (!token) return { ok: false, message: `environment variable ${values["token-env"]} is not set`, code: 2 };
      session.accessToken = token;
    } else if (values.user && values.password !== undefined) {
      session.password = values.password;
    } else {
      return { ok: false, message: `give --user with --password, or --token-env\n${CHAT_USAGE}`, code: 2 };
    }
    return { ok: true, session };
  }

  if (values.as !== undefined && !SANDBOX_USERS.includes(values.as as SandboxUserName)) {
    return { ok: false, message: `--as ${values.as}: the sandbox's users are ${SANDBOX_USERS.join(" and ")}`, code: 2 };
  }
  const dir = resolve(values.sandbox ?? (env.MAGI_SANDBOX_DIR || ".sandbox"));
  return readSandbox(sandboxStatePath(dir), (values.as ?? "demo") as SandboxUserName);
}

function readSandbox(file: string, as: SandboxUserName): SessionResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") return { ok: false, message: `cannot read ${file}: ${(error as Error).message}`, code: 1 };
    return {
      ok: false,
      code: 1,
      message: `No sandbox found (${file} does not exist).\nStart the sandbox first with \`npm start\` in another terminal, then run \`npm run chat\` again.\n(Or point at a homeserver yourself: ${CHAT_USAGE.split("\n")[2]!.trim()})`,
    };
  }
  const parsed = parseSandboxState(file, text);
  if (!parsed.ok) return { ok: false, message: `${parsed.problem}; restart the sandbox with \`npm start\``, code: 1 };
  const { homeserverUrl, roomId } = parsed.state;
  const user = parsed.state[as];
  if (!user) return { ok: false, message: `${file} has no user ${as} yet: restart the sandbox with \`npm start\`, which adds them`, code: 1 };
  if (!user.accessToken && user.password === undefined) return { ok: false, message: `${file} has neither ${as}.accessToken nor ${as}.password`, code: 1 };
  const session: ChatSession = { homeserverUrl: homeserverUrl.replace(/\/+$/, ""), roomId, userId: user.userId };
  if (user.accessToken) session.accessToken = user.accessToken;
  if (user.password !== undefined) session.password = user.password;
  return { ok: true, session };
}

// Logs in by password and returns the new token; the error names the user and Matrix's errcode, never the password.
export async function loginWithPassword(homeserverUrl: string, userId: string, password: string): Promise<{ accessToken: string; userId: string }> {
  const response = await fetch(`${homeserverUrl}/_matrix/client/v3/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      type: "m.login.password",
      identifier: { type: "m.id.user", user: userId },
      password,
      initial_device_display_name: "magi chat",
    }),
  });
  const json = (await response.json().catch(() => ({}))) as { access_token?: string; user_id?: string; errcode?: string; error?: string };
  if (!response.ok || !json.access_token) {
    throw new Error(`login as ${userId} failed: ${response.status} ${json.errcode ?? ""} ${json.error ?? ""}`.trim());
  }
  return { accessToken: json.access_token, userId: json.user_id ?? userId };
}
