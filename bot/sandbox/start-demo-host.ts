// The sandbox's demo host: an sshd on loopback with its own host key (which the sandbox pins), running this machine's real commands.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { findFreePort } from "../synapse/start-synapse.ts";
import { prepareSshd, waitForSshBanner } from "./prepare-sshd.ts";

const SSHD = "/usr/sbin/sshd";

// What the sandbox config needs about the demo host.
export interface DemoHost {
  port: number;
  user: string;
  hostKeyLine: string;
  clientKeyPath: string;
  stop(): void;
}

// Starts the demo host, or explains why not (no openssh-server); keys persist in dir so the pin survives restarts.
export async function startDemoHost(dir: string, port?: number): Promise<DemoHost | string> {
  if (!existsSync(SSHD)) return `${SSHD} is missing, so the sandbox has no demo host (install openssh-server to get one)`;
  const chosen = port ?? (await findFreePort());
  const files = await prepareSshd(dir, chosen, "magi-sandbox");
  const child = spawn(SSHD, ["-D", "-e", "-f", files.config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  for (let i = 0; i < 50 && !(await waitForSshBanner(chosen, 500)); i++) {
    if (child.exitCode !== null) return `the demo host's sshd exited: ${stderr.trim().split("\n").at(-1) ?? ""}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: chosen,
    user: userInfo().username,
    hostKeyLine: files.hostKeyLine,
    clientKeyPath: files.clientKeyPath,
    stop: () => void child.kill("SIGTERM"),
  };
}
