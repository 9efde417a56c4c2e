// Started detached by npm's postinstall (bot/install-native.mjs): installs the sandbox's Synapse while
// better-sqlite3 compiles, so the README's `npm ci && npm start` finds it ready instead of waiting a minute more.
// Its output goes to <venv>.install.log; a sandbox that starts first waits on the same lock.
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ensureSynapseVenv, synapseVenvDir } from "./find-synapse.ts";

const logPath = `${synapseVenvDir()}.install.log`;
mkdirSync(dirname(logPath), { recursive: true });
const out = createWriteStream(logPath, { flags: "w", mode: 0o600 });
try {
  await ensureSynapseVenv({ log: (line) => out.write(`${line}\n`) });
  out.write("synapse: prefetch done\n");
} catch (error) {
  out.write(`synapse: prefetch failed (npm start will try again): ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  out.end();
}
