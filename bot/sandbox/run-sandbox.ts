// `npm start` with no config: a throwaway Synapse on loopback, two demo users, a room, a fleet of
// simulated NixOS hosts on loopback sshds, a demo flake, and magi serving it all.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../config/load-config.ts";
import { checkFlakeUrl } from "../../runners/deploy/index.ts";
import { createLogger } from "../logger.ts";
import { startBot } from "../start-bot.ts";
import { startSynapse } from "../synapse/start-synapse.ts";
import { addRitsuko, createSandbox } from "./create-sandbox.ts";
import { DEMO_FLEET, findDemoTools } from "./demo-fleet.ts";
import { ensureDemoFlake, type DemoFlake } from "./demo-flake.ts";
import { writeSandboxConfig } from "./sandbox-config.ts";
import { describeSandboxIntake, prepareSandboxIntake, type SandboxIntake } from "./sandbox-intake.ts";
import { readSandboxState, sandboxDir, writeSandboxState, type SandboxState } from "./sandbox-state.ts";
import { startDemoHost, type DemoHost } from "./start-demo-host.ts";
import { startWakeListener } from "./wake-listener.ts";

function say(line: string): void {
  process.stderr.write(`[sandbox] ${line}\n`);
}

// The demo flake, or undefined (said why) when git is missing or the path cannot go into a flake URL.
async function prepareFlake(dir: string): Promise<(DemoFlake & { startRevs: string[] }) | undefined> {
  try {
    const flake = await ensureDemoFlake(dir, DEMO_FLEET.map((h) => h.name));
    const refused = checkFlakeUrl(`git+file://${flake.origin}?rev={rev}`);
    if (!refused) return flake;
    say(`no deploys in this sandbox: ${refused} (move the sandbox directory to a plain path)`);
  } catch (error) {
    say(`no deploys in this sandbox: cannot create the demo flake: ${(error as Error).message.split("\n")[0]}`);
  }
  return undefined;
}

function printBanner(state: SandboxState, dir: string, wakePort: number, deploys: boolean, intake: SandboxIntake): void {
  say("ready.");
  say(`  talk to magi:   npm run chat        (in another terminal; logs in as ${state.demo.userId}, an admin)`);
  if (state.ritsuko) say(`  second person:  npm run chat -- --as ritsuko   (in a third terminal; ${state.ritsuko.userId}, a deployer: approves demo's deploys)`);
  say(`  or any client:  ${state.homeserverUrl}  user demo, password ${state.demo.password}${state.ritsuko ? ` (ritsuko: ${state.ritsuko.password})` : ""}, room #magi-sandbox:localhost`);
  say("  try:            !help   !hosts   !status   !jobs   !audit");
  if (deploys) {
    say("                  !deploy misato      then as ritsuko: /react N 👍   (N: the prompt's number in her chat)");
    say("                  !generations misato   !rollback misato");
  }
  say("                  !reboot demo        then react ✅ yourself: demo goes down and comes back");
  say(`                  !shutdown kaji ✅, then !wake kaji   (the magic packet goes to 127.0.0.1:${wakePort})`);
  for (const line of describeSandboxIntake(intake)) say(line);
  say(`  the demo hosts simulate NixOS in ${join(dir, "hosts")}: nothing mutating reaches this machine`);
  say(`  stop:           Ctrl-C  (state is kept in ${dir}; delete it to start afresh)`);
}

// Runs the sandbox until SIGINT/SIGTERM; returns the exit code.
export async function runSandbox(): Promise<number> {
  const dir = sandboxDir();
  mkdirSync(dir, { recursive: true });
  const previous = readSandboxState(dir);
  say(`no config given: ${previous ? "restarting the" : "starting a new"} local sandbox in ${dir}`);
  const hs = await startSynapse({ dataDir: join(dir, "synapse"), ...(previous?.port ? { port: previous.port } : {}), log: say });
  const hosts: DemoHost[] = [];
  let wake: Awaited<ReturnType<typeof startWakeListener>> | undefined;
  try {
    const flake = await prepareFlake(dir);
    const tools = findDemoTools();
    const started = await Promise.all(DEMO_FLEET.map((spec) => startDemoHost(spec, join(dir, "hosts", spec.name), tools, flake?.startRevs ?? ["0000000000000000000000000000000000000000"], previous?.demoHosts[spec.name])));
    for (const [i, host] of started.entries()) {
      if (typeof host === "string") say(host);
      else {
        hosts.push(host);
        say(`${DEMO_FLEET[i]!.name.padEnd(7)} demo host: sshd on 127.0.0.1:${host.port}, host key pinned (${host.hostKeyLine.split(" ").slice(0, 2).join(" ").slice(0, 40)}…), MAC ${host.mac}`);
      }
    }
    wake = await startWakeListener(previous?.wakePort ?? 0, (mac) => hosts.find((h) => h.mac === mac)?.wake() ?? false, say);
    let state = previous ? { ...previous, homeserverUrl: hs.baseUrl, port: hs.port } : await createSandbox(hs);
    if (!state.ritsuko) {
      say("adding the second demo user, ritsuko");
      state = await addRitsuko(hs, state);
    }
    const intake = await prepareSandboxIntake(dir, previous?.httpPort);
    state = { ...state, demoHosts: Object.fromEntries(hosts.map((h) => [h.name, h.port])), wakePort: wake.port, httpPort: intake.port };
    writeSandboxState(dir, state);
    const tagged = hosts.map((host) => ({ host, tags: DEMO_FLEET.find((s) => s.name === host.name)!.tags }));
    const loaded = loadConfig(await writeSandboxConfig(dir, state, { hosts: tagged, wakePort: wake.port, intake, ...(flake ? { flake } : {}) }));
    if (!loaded.ok) throw new Error(`sandbox config is invalid: ${loaded.problems.join("; ")}`);
    const bot = await startBot(loaded.config, createLogger(process.env.MAGI_LOG_LEVEL ?? "info"));
    printBanner(state, dir, wake.port, flake !== undefined, intake);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    say("stopping");
    await bot.stop();
    return 0;
  } finally {
    for (const host of hosts) host.stop();
    await wake?.close();
    await hs.stop();
  }
}
