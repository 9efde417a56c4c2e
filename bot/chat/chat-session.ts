// Works out who `magi chat` logs in as and where: the sandbox's demo user by default, or explicit flags.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";

// Everything the chat needs to talk to one room; password is kept so a stale token can be replaced.
export interface ChatSession {
  homeserverUrl: string;
  roomId: string;
  userId?: string;
  accessToken?: string;
  password?: string;
}

// What the sandbox writes to .sandbox/sandbox.json; only the fields the chat reads.
const SandboxFile = z.object({
  homeserverUrl: z.url(),
  roomId: z.string().startsWith("!"),
  demo: z.object({ userId: z.string().startsWith("@"), password: z.string().optional(), accessToken: z.string().optional() }),
});

// The usage text, also printed for --help.
export const CHAT_USAGE = `usage:
  magi chat [--sandbox DIR]        chat as the sandbox's demo user (reads DIR/sandbox.json; default .sandbox)
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

  const dir = resolve(values.sandbox ?? (env.MAGI_SANDBOX_DIR || ".sandbox"));
  return readSandbox(join(dir, "sandbox.json"));
}

function readSandbox(file: string): SessionResult {
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
  let parsed;
  try {
    parsed = SandboxFile.safeParse(JSON.parse(text));
  } catch {
    return { ok: false, message: `${file} is not valid JSON; restart the sandbox with \`npm start\``, code: 1 };
  }
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    return { ok: false, message: `${file} is not a sandbox state file this chat understands (${problems})`, code: 1 };
  }
  const { homeserverUrl, roomId, demo } = parsed.data;
  if (!demo.accessToken && demo.password === undefined) return { ok: false, message: `${file} has neither demo.accessToken nor demo.password`, code: 1 };
  const session: ChatSession = { homeserverUrl: homeserverUrl.replace(/\/+$/, ""), roomId, userId: demo.userId };
  if (demo.accessToken) session.accessToken = demo.accessToken;
  if (demo.password !== undefined) session.password = demo.password;
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
