// `npm start` with no config: a throwaway Synapse on loopback, a demo admin, a room, and magi serving it.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../config/load-config.ts";
import { createLogger } from "../logger.ts";
import { startBot } from "../start-bot.ts";
import { startSynapse } from "../synapse/start-synapse.ts";
import { createSandbox, writeSandboxConfig } from "./create-sandbox.ts";
import { readSandboxState, sandboxDir, writeSandboxState } from "./sandbox-state.ts";
import { startDemoHost } from "./start-demo-host.ts";

function say(line: string): void {
  process.stderr.write(`[sandbox] ${line}\n`);
}

// Runs the sandbox until SIGINT/SIGTERM; returns the exit code.
export async function runSandbox(): Promise<number> {
  const dir = sandboxDir();
  mkdirSync(dir, { recursive: true });
  say(`no config given: starting a local sandbox in ${dir} (the first run installs Synapse into ~/.cache/magi, which takes a minute or two)`);
  const previous = readSandboxState(dir);
  const hs = await startSynapse({ dataDir: join(dir, "synapse"), ...(previous ? { port: previous.port } : {}), log: say });
  const demo = await startDemoHost(join(dir, "demo-host"), previous?.demoHostPort);
  if (typeof demo === "string") say(demo);
  else say(`demo host: sshd on 127.0.0.1:${demo.port}, host key pinned (${demo.hostKeyLine.split(" ").slice(0, 2).join(" ").slice(0, 40)}…)`);
  try {
    const fresh = previous ? { ...previous, homeserverUrl: hs.baseUrl, port: hs.port } : await createSandbox(hs);
    const state = typeof demo === "string" ? fresh : { ...fresh, demoHostPort: demo.port };
    writeSandboxState(dir, state);
    const loaded = loadConfig(await writeSandboxConfig(dir, state, typeof demo === "string" ? undefined : demo));
    if (!loaded.ok) throw new Error(`sandbox config is invalid: ${loaded.problems.join("; ")}`);
    const bot = await startBot(loaded.config, createLogger(process.env.MAGI_LOG_LEVEL ?? "info"));
    say("ready.");
    say(`  talk to magi:   npm run chat        (in another terminal; logs in as ${state.demo.userId}, an admin)`);
    say(`  or any client:  ${state.homeserverUrl}  user demo, password ${state.demo.password}, room #magi-sandbox:localhost`);
    say("  try:            !help   !whoami   !hosts   !status demo   !jobs   !audit");
    say("  stop:           Ctrl-C  (state is kept in .sandbox; delete it to start afresh)");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    say("stopping");
    await bot.stop();
    return 0;
  } finally {
    if (typeof demo !== "string") demo.stop();
    await hs.stop();
  }
}
