// The status port the bot hands to commands: fans out over hosts with the configured limit and deadline.
import type { Config } from "../../config/schema.ts";
import { runCommand, type SshPool } from "../ssh/index.ts";
import { collectHost, type RunProbe } from "./collect-host.ts";
import { mapConcurrently } from "./fan-out.ts";
import { readStatusSettings } from "./probes.ts";
import type { StatusPort } from "./types.ts";

// Creates the port; pool defaults to the process-wide SSH pool, run to the real SSH runner.
export function createStatusPort(section: Config["status"], deps: { pool?: SshPool; run?: RunProbe } = {}): StatusPort {
  const settings = readStatusSettings(section);
  const run = deps.run ?? runCommand;
  return {
    collect: (hosts) => mapConcurrently(hosts, settings.concurrency, (host) => collectHost(host, settings, run, deps.pool)),
  };
}
