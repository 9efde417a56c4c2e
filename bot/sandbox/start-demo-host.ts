// The sandbox's demo host: an sshd on loopback with its own host key (which the sandbox pins), running this machine's real commands.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { findFreePort } from "../synapse/start-synapse.ts";

const SSHD = "/usr/sbin/sshd";

// What the sandbox config needs about the demo host.
export interface DemoHost {
  port: number;
  user: string;
  hostKeyLine: string;
  clientKeyPath: string;
  stop(): void;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("data", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

// Starts the demo host, or explains why not (no openssh-server); keys persist in dir so the pin survives restarts.
export async function startDemoHost(dir: string, port?: number): Promise<DemoHost | string> {
  if (!existsSync(SSHD)) return `${SSHD} is missing, so the sandbox has no demo host (install openssh-server to get one)`;
  mkdirSync(dir, { recursive: true });
  for (const key of ["host_ed25519", "client_ed25519"]) {
    if (!existsSync(join(dir, key))) await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `magi-sandbox-${key}`, "-f", join(dir, key)]);
  }
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_ed25519.pub")));
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const chosen = port ?? (await findFreePort());
  const config = [
    `Port ${chosen}`, "ListenAddress 127.0.0.1", `HostKey ${join(dir, "host_ed25519")}`, `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`, "StrictModes no", "UsePAM no", "PasswordAuthentication no",
    "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
  ];
  writeFileSync(join(dir, "sshd_config"), config.join("\n") + "\n");
  const child = spawn(SSHD, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  for (let i = 0; i < 50 && !(await answers(chosen)); i++) {
    if (child.exitCode !== null) return `the demo host's sshd exited: ${stderr.trim().split("\n").at(-1) ?? ""}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: chosen,
    user: userInfo().username,
    hostKeyLine: readFileSync(join(dir, "host_ed25519.pub"), "utf8").trim(),
    clientKeyPath: join(dir, "client_ed25519"),
    stop: () => void child.kill("SIGTERM"),
  };
}
