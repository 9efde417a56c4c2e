// Finds (or builds) the Python venv that holds Synapse, so tests and the sandbox need no Docker.
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { takeInstallLock } from "./install-lock.ts";

// The Synapse release tests run against; .ci/run reads this line, so keep its shape.
export const SYNAPSE_VERSION = "1.163.2";

// Where the venv lives unless MAGI_SYNAPSE_VENV says otherwise.
export function synapseVenvDir(): string {
  return process.env.MAGI_SYNAPSE_VENV ?? join(homedir(), ".cache", "magi", "synapse-venv");
}

async function canImportSynapse(python: string): Promise<boolean> {
  const result = await execa(python, ["-c", "import synapse"], { reject: false });
  return result.exitCode === 0;
}

// Returns the venv's python path, creating the venv and installing Synapse first if needed (minutes, once).
export async function ensureSynapseVenv(opts: { log?: (line: string) => void } = {}): Promise<string> {
  const log = opts.log ?? (() => {});
  const dir = synapseVenvDir();
  const python = join(dir, "bin", "python");
  if (await canImportSynapse(python)) return python;
  mkdirSync(dirname(dir), { recursive: true });
  const release = await takeInstallLock(`${dir}.lock`, (pid) => log(`synapse: waiting for the install already under way (pid ${pid}; npm ci starts one in the background)`));
  try {
    if (!(await canImportSynapse(python))) await installSynapse(dir, python, log);
  } finally {
    release();
  }
  return python;
}

// Creates (or completes) the venv and installs the pinned Synapse into it.
async function installSynapse(dir: string, python: string, log: (line: string) => void): Promise<void> {
  log(`synapse: creating venv at ${dir} and installing matrix-synapse ${SYNAPSE_VERSION} (takes a few minutes)`);
  // A generator transform forwards each output line to the log instead of buffering it all.
  const forward = function* (line: unknown): Generator<never, void, void> {
    log(`synapse: ${String(line)}`);
  };
  await execa("python3", ["-m", "venv", dir], { stdout: forward, stderr: forward });
  await execa(join(dir, "bin", "pip"), ["install", "--disable-pip-version-check", "--progress-bar", "off", `matrix-synapse==${SYNAPSE_VERSION}`], {
    stdout: forward,
    stderr: forward,
  });
  if (!(await canImportSynapse(python))) {
    throw new Error(`installed matrix-synapse into ${dir} but "${python} -c 'import synapse'" still fails`);
  }
  log("synapse: venv ready");
}
