// Sets up a loopback sshd that lets exactly one generated client key in: shared by the sandbox's
// demo host and the e2e harness's test hosts, so both run the same hardened configuration.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { execa } from "execa";

// Where a prepared sshd's files are.
export interface SshdFiles {
  config: string;
  hostKeyLine: string;
  clientKeyPath: string;
}

// Generates host and client keys in dir (keeping existing ones, so a pin survives restarts),
// authorizes the client key, and writes sshd_config for 127.0.0.1:port plus any extra lines.
export async function prepareSshd(dir: string, port: number, label: string, extraLines: readonly string[] = []): Promise<SshdFiles> {
  mkdirSync(dir, { recursive: true });
  for (const key of ["host_ed25519", "client_ed25519"]) {
    if (!existsSync(join(dir, key))) await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `${label}-${key}`, "-f", join(dir, key)]);
  }
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_ed25519.pub")));
  // Run as root, sshd insists on its privilege-separation directory.
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const lines = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${join(dir, "host_ed25519")}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    "StrictModes no",
    "UsePAM no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    ...extraLines,
  ];
  const config = join(dir, "sshd_config");
  writeFileSync(config, lines.join("\n") + "\n");
  return { config, hostKeyLine: readFileSync(join(dir, "host_ed25519.pub"), "utf8").trim(), clientKeyPath: join(dir, "client_ed25519") };
}

// Resolves true once the server sends its SSH banner (it accepts sessions, not just SYNs), false on error or timeout.
export function waitForSshBanner(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const finish = (ok: boolean) => (socket.destroy(), clearTimeout(timer), resolve(ok));
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once("data", (d: Buffer) => finish(d.toString("latin1").startsWith("SSH-")));
    socket.once("error", () => finish(false));
  });
}
