// The config the sandbox writes for magi on every start: its users, room, demo fleet, wake and deploys.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { loginUser } from "../synapse/register-user.ts";
import type { DemoFlake } from "./demo-flake.ts";
import { DEMO_ALERT_ROUTE, type SandboxIntake } from "./sandbox-intake.ts";
import { sandboxStatePath, type SandboxState } from "./sandbox-state.ts";
import type { DemoHost } from "./start-demo-host.ts";

// How long !wake waits for a demo host; the config's minimum is 5 s and a demo host boots in about one.
const WAKE_TIMEOUT_SECONDS = 60;

// One demo host's inventory entry: pinned SSH, a MAC woken through the sandbox's loopback listener,
// and deploys run on the host itself (so session-guard and the demo nixos-rebuild handle them).
function describeHost(host: DemoHost, tags: string[], wakePort: number, flake?: DemoFlake): object {
  return {
    address: "127.0.0.1",
    tags,
    mac: host.mac,
    ssh: { port: host.port, user: host.user, identity_file: host.clientKeyPath, host_key: host.hostKeyLine },
    wake: { broadcast: "127.0.0.1", port: wakePort, timeout_seconds: WAKE_TIMEOUT_SECONDS },
    ...(flake ? { deploy: { method: "nixos-rebuild-on-host", flake_url: `git+file://${flake.origin}?rev={rev}` } } : {}),
  };
}

// What writeSandboxConfig needs besides the state.
export interface SandboxConfigParts {
  hosts: { host: DemoHost; tags: string[] }[];
  wakePort: number;
  intake: SandboxIntake;
  flake?: DemoFlake;
}

// Logs magi in afresh (each start gets its own device) and writes its token file and config.
export async function writeSandboxConfig(dir: string, state: SandboxState, parts: SandboxConfigParts): Promise<string> {
  if (state.bot.password === undefined) throw new Error(`${sandboxStatePath(dir)} has no bot.password, so magi cannot log in; delete ${dir} to start afresh`);
  const session = await loginUser(state.homeserverUrl, "magi", state.bot.password);
  writeFileSync(join(dir, "magi-token"), session.accessToken + "\n", { mode: 0o600 });
  const config = {
    matrix: { homeserver_url: state.homeserverUrl, user_id: state.bot.userId, access_token_file: "magi-token" },
    storage: { path: "magi.sqlite" },
    access: { users: { [state.demo.userId]: "admin", ...(state.ritsuko ? { [state.ritsuko.userId]: "deployer" } : {}) } },
    rooms: { [state.roomId]: { reply_msgtype: "m.text" } },
    admin_dms: true,
    hosts: Object.fromEntries(parts.hosts.map(({ host, tags }) => [host.name, describeHost(host, tags, parts.wakePort, parts.flake)])),
    ...(parts.flake ? { deploy: { flake_dir: parts.flake.checkout, timeout_minutes: 10 } } : {}),
    http: { listen: `127.0.0.1:${parts.intake.port}`, credentials_file: parts.intake.healthSecretFile },
    alerts: { routes: { [DEMO_ALERT_ROUTE]: { room: state.roomId, credentials_file: parts.intake.alertSecretFile } } },
    // The built-in default, written out so the demo shows where it lives: another deployer approves.
    approvals: [{ command: "deploy", approvals: 1, min_level: "deployer", self_approval: false }],
  };
  const path = join(dir, "config.yaml");
  writeFileSync(path, "# Written by the magi sandbox on every start; copy config.example.yaml for a real setup.\n" + stringify(config));
  return path;
}
