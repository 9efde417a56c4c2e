// The sandbox's state file: what `magi chat` and a returning sandbox need to find the homeserver,
// room, users and demo hosts. One schema reads it for both.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

// The people the sandbox registers; `magi chat --as NAME` logs in as one of them.
export const SANDBOX_USERS = ["demo", "ritsuko"] as const;
// A sandbox user's name, as --as takes it.
export type SandboxUserName = (typeof SANDBOX_USERS)[number];

const user = z.object({ userId: z.string().startsWith("@"), password: z.string().optional(), accessToken: z.string().optional() });

// The state file's shape. The chat needs only the homeserver, room and users; port and magi's password
// matter to the sandbox alone, which says so if they are missing. Files from before the demo fleet (one demoHostPort, no ritsuko) still
// read: the port becomes demoHosts.demo, and the sandbox registers ritsuko on its next start.
export const sandboxStateSchema = z
  .object({
    homeserverUrl: z.url(),
    port: z.number().int().optional(),
    roomId: z.string().startsWith("!"),
    bot: z.object({ userId: z.string().startsWith("@"), password: z.string().optional() }),
    demo: user,
    ritsuko: user.optional(),
    demoHostPort: z.number().int().optional(),
    demoHosts: z.record(z.string(), z.number().int()).default({}),
    wakePort: z.number().int().optional(),
    httpPort: z.number().int().optional(),
  })
  .transform(({ demoHostPort, ...state }) => {
    const demoHosts: Record<string, number> = { ...(demoHostPort ? { demo: demoHostPort } : {}), ...state.demoHosts };
    return { ...state, demoHosts };
  });

// Everything the sandbox created, saved so a restart reuses it.
export type SandboxState = z.output<typeof sandboxStateSchema>;

// The sandbox directory: MAGI_SANDBOX_DIR or .sandbox in the working directory.
export function sandboxDir(): string {
  return process.env.MAGI_SANDBOX_DIR ?? join(process.cwd(), ".sandbox");
}

// The state file in dir.
export function sandboxStatePath(dir: string): string {
  return join(dir, "sandbox.json");
}

// Reads a state file's text; the problem names the file and what is wrong, for a person to act on.
export function parseSandboxState(file: string, text: string): { ok: true; state: SandboxState } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: `${file} is not valid JSON; delete it (or the whole sandbox directory) to start afresh` };
  }
  const parsed = sandboxStateSchema.safeParse(json);
  if (parsed.success) return { ok: true, state: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  return { ok: false, problem: `${file} is not a sandbox state file magi understands (${problems})` };
}

// Reads the state file, if a previous sandbox left one; throws with parseSandboxState's message if it is unusable.
export function readSandboxState(dir: string): SandboxState | undefined {
  const path = sandboxStatePath(dir);
  if (!existsSync(path)) return undefined;
  const parsed = parseSandboxState(path, readFileSync(path, "utf8"));
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.state;
}

// Writes the state file, readable by the owner only: it holds passwords for throwaway users.
export function writeSandboxState(dir: string, state: SandboxState): void {
  writeFileSync(sandboxStatePath(dir), JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}
