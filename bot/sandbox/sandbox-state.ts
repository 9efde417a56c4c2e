// The sandbox's state file: what `magi chat` and a returning sandbox need to find the homeserver, room and users.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// Everything the sandbox created, saved so a restart reuses it.
export interface SandboxState {
  homeserverUrl: string;
  port: number;
  demoHostPort?: number;
  roomId: string;
  bot: { userId: string; password: string };
  demo: { userId: string; password: string; accessToken: string };
}

// The sandbox directory: MAGI_SANDBOX_DIR or .sandbox in the working directory.
export function sandboxDir(): string {
  return process.env.MAGI_SANDBOX_DIR ?? join(process.cwd(), ".sandbox");
}

// Reads the state file, if a previous sandbox left one.
export function readSandboxState(dir: string): SandboxState | undefined {
  const path = join(dir, "sandbox.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as SandboxState) : undefined;
}

// Writes the state file, readable by the owner only: it holds passwords for throwaway users.
export function writeSandboxState(dir: string, state: SandboxState): void {
  writeFileSync(join(dir, "sandbox.json"), JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}
