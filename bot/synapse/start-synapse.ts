// Starts a throwaway Synapse on loopback for the sandbox and the e2e tests.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { execa } from "execa";
import { ensureSynapseVenv } from "./find-synapse.ts";
import { patchSynapseConfig, type ConfigPatch } from "./synapse-config.ts";

// A Synapse process this module started, and what callers need to talk to it.
export interface RunningSynapse {
  baseUrl: string;
  serverName: string;
  port: number;
  sharedSecret: string;
  dataDir: string;
  stop(): Promise<void>;
}

// How to start it; a dataDir holding a previous run's homeserver.yaml is reused, users included.
export interface StartSynapseOptions {
  dataDir: string;
  port?: number;
  serverName?: string;
  relaxRateLimits?: boolean;
  rateLimits?: ConfigPatch["rateLimits"];
  appserviceFiles?: string[];
  log?: (line: string) => void;
}

const READY_TIMEOUT_MS = 60_000;
const STDERR_TAIL_LINES = 40;

// Asks the kernel for a free port; another process could grab it before Synapse binds, which is rare enough on loopback.
export function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

// Starts Synapse and resolves once its client API answers; rejects with its stderr tail if it does not within 60 s.
export async function startSynapse(opts: StartSynapseOptions): Promise<RunningSynapse> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  const serverName = opts.serverName ?? "localhost";
  const python = await ensureSynapseVenv({ log });
  await mkdir(dataDir, { recursive: true });
  const configPath = join(dataDir, "homeserver.yaml");
  const freshlyGenerated = !existsSync(configPath);
  if (freshlyGenerated) {
    await execa(python, ["-m", "synapse.app.homeserver", "--server-name", serverName, "--config-path", configPath,
      "--data-directory", dataDir, "--generate-config", "--report-stats=no"], { cwd: dataDir });
  }
  const base = { dataDir, serverName, freshlyGenerated, relaxRateLimits: opts.relaxRateLimits ?? true,
    appserviceFiles: (opts.appserviceFiles ?? []).map((f) => resolve(f)), ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}) };
  // A port found free can be taken before Synapse binds it; with a port of our choosing, just pick another.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await findFreePort());
    const sharedSecret = await patchSynapseConfig(configPath, { ...base, freshlyGenerated: freshlyGenerated && attempt === 1, port });
    try {
      const stop = await launch(python, configPath, dataDir, port, log);
      return { baseUrl: `http://127.0.0.1:${port}`, serverName, port, sharedSecret, dataDir, stop };
    } catch (error) {
      const portTaken = error instanceof Error && error.message.includes("Address already in use");
      if (opts.port !== undefined || !portTaken || attempt >= 3) throw error;
      log(`synapse: port ${port} was taken meanwhile, trying another`);
    }
  }
}

// Runs Synapse until its client API answers and returns its stop function.
async function launch(python: string, configPath: string, dataDir: string, port: number, log: (line: string) => void): Promise<() => Promise<void>> {
  const started = Date.now();
  const child = execa(python, ["-m", "synapse.app.homeserver", "-c", configPath], {
    cwd: dataDir,
    stdin: "ignore",
    buffer: false,
    reject: false,
    // execa's default SIGKILL-after-SIGTERM delay is 5 s; Synapse gets 10 s to close sqlite cleanly.
    forceKillAfterDelay: 10_000,
  });
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
  };
  if (child.stderr) createInterface({ input: child.stderr }).on("line", keep);
  if (child.stdout) createInterface({ input: child.stdout }).on("line", keep);
  let exited = false;
  const done = child.then(() => {
    exited = true;
  });
  const stop = async (): Promise<void> => {
    if (!exited) child.kill("SIGTERM");
    await done;
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForVersions(baseUrl, () => exited);
  } catch (error) {
    await stop();
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`Synapse in ${dataDir} did not start: ${why}\n--- stderr tail (full log: ${join(dataDir, "homeserver.log")}) ---\n${tail.join("\n")}`);
  }
  log(`synapse: ${baseUrl} ready in ${Date.now() - started} ms (data in ${dataDir})`);
  return stop;
}

async function waitForVersions(baseUrl: string, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (hasExited()) throw new Error("the process exited");
    try {
      const response = await fetch(`${baseUrl}/_matrix/client/versions`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Connection refused until the listener is up.
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${baseUrl} within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
