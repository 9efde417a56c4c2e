// One sandbox demo host: an sshd on loopback with its own pinned host key, whose sessions run only
// through session-guard with the simulated NixOS tools. Its power is simulated too: the demo
// systemctl asks for a poweroff or reboot, and this takes the host's sshd and every session under
// it down; a reboot comes back by itself, a poweroff waits for wake().
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { quotePosix } from "../../runners/ssh/quote.ts";
import { findFreePort } from "../synapse/start-synapse.ts";
import type { DemoHostSpec } from "./demo-fleet.ts";
import { killProcessTree } from "./kill-process-tree.ts";
import { prepareSshd, waitForSshBanner } from "./prepare-sshd.ts";

const SSHD = "/usr/sbin/sshd";
// Like a small machine: the sshd goes away a second after systemctl returns, and a reboot takes a few more.
const GOING_DOWN_MS = 1_000;
const REBOOT_MS = 3_000;
const POLL_MS = 200;

// Whether a demo host is running; "off" until woken, "rebooting" comes back by itself.
export type DemoPower = "on" | "off" | "rebooting";

// A running demo host: what the sandbox config needs, and its power switch.
export interface DemoHost {
  name: string;
  mac: string;
  dir: string;
  port: number;
  user: string;
  hostKeyLine: string;
  clientKeyPath: string;
  power(): DemoPower;
  // Boots a powered-off host (what its NIC does on a magic packet); false if it was not off.
  wake(): boolean;
  stop(): void;
}

// Starts the demo host in dir (keys persist there, so the pin survives restarts), or explains why not.
export async function startDemoHost(spec: DemoHostSpec, dir: string, tools: string, startRevs: readonly string[], port?: number): Promise<DemoHost | string> {
  if (!existsSync(SSHD)) return `${SSHD} is missing, so the sandbox has no demo hosts (install openssh-server to get them)`;
  const chosen = port ?? (await findFreePort());
  const guard = `ForceCommand ${quotePosix(join(tools, "session-guard"))} ${quotePosix(dir)} ${spec.name}`;
  const files = await prepareSshd(dir, chosen, `magi-sandbox-${spec.name}`, [guard, "DisableForwarding yes", "PermitTTY no"]);
  if (spec.zfs) writeFileSync(join(dir, "zpool-status.txt"), "all pools are healthy\n");
  const env = { ...process.env, MAGI_DEMO_HOST_DIR: dir, MAGI_DEMO_HOST_NAME: spec.name, MAGI_DEMO_TOOLS: tools, MAGI_DEMO_SYSTEM_PATH: "/usr/local/bin:/usr/bin:/bin" };
  const requestFile = join(dir, "power-request");
  rmSync(requestFile, { force: true });
  let child: ChildProcess | undefined;
  let power: DemoPower = "off";
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => (timers.delete(t), stopped || fn()), ms);
    timers.add(t);
  };

  const boot = async (): Promise<string | undefined> => {
    const installed = await execa(join(tools, "power-on"), startRevs, { env, reject: false });
    if (installed.exitCode !== 0) return `the ${spec.name} demo host cannot boot: ${installed.stderr.trim() || installed.shortMessage}`;
    // Stopped while power-on ran: an sshd started now would outlive the sandbox.
    if (stopped) return `the ${spec.name} demo host was stopped while booting`;
    const log = openSync(join(dir, "sshd.log"), "a");
    const sshd = spawn(SSHD, ["-D", "-e", "-f", files.config], { stdio: ["ignore", "ignore", log] });
    closeSync(log);
    child = sshd;
    for (let i = 0; i < 50 && !(await waitForSshBanner(chosen, 500)); i++) {
      if (sshd.exitCode !== null) return `the ${spec.name} demo host's sshd exited: ${readFileSync(join(dir, "sshd.log"), "utf8").trim().split("\n").at(-1) ?? ""}`;
      await new Promise((r) => setTimeout(r, 100));
    }
    power = "on";
    return undefined;
  };
  // A reboot or wake that cannot boot leaves the host off, as a machine that fails to start would be.
  const bootOrStayOff = async () => {
    if ((await boot()) !== undefined) takeDown("off");
  };
  const takeDown = (next: DemoPower) => {
    power = next;
    if (child?.pid !== undefined && child.exitCode === null) killProcessTree(child.pid);
    child = undefined;
  };
  const watch = setInterval(() => {
    if (power !== "on" || !existsSync(requestFile)) return;
    const request = readFileSync(requestFile, "utf8").trim();
    rmSync(requestFile, { force: true });
    later(GOING_DOWN_MS, () => {
      takeDown(request === "reboot" ? "rebooting" : "off");
      if (request === "reboot") later(REBOOT_MS, () => void bootOrStayOff());
    });
  }, POLL_MS);

  const failed = await boot();
  if (failed) return (clearInterval(watch), takeDown("off"), failed);
  return {
    name: spec.name,
    mac: spec.mac,
    dir,
    port: chosen,
    user: userInfo().username,
    hostKeyLine: files.hostKeyLine,
    clientKeyPath: files.clientKeyPath,
    power: () => power,
    wake: () => {
      if (power !== "off") return false;
      power = "rebooting";
      void bootOrStayOff();
      return true;
    },
    stop: () => {
      stopped = true;
      clearInterval(watch);
      for (const t of timers) clearTimeout(t);
      takeDown("off");
    },
  };
}
