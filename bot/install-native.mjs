#!/usr/bin/env node
// npm's postinstall for magi: builds better-sqlite3's native addon so `npm ci` works on a machine
// that reaches only the package registries. better-sqlite3's own install script (blocked through
// allowScripts in package.json) downloads a prebuilt binary and else node-gyp's headers, and both
// downloads fail there; node-gyp never looks for the headers the installed Node ships itself.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const packageDir = join(root, "node_modules", "better-sqlite3");
const require = createRequire(join(root, "package.json"));

// True when the addon is built for this Node and opens a database.
function addonWorks() {
  const probe = spawnSync(process.execPath, ["-e", "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, stdio: "ignore" });
  return probe.status === 0;
}

// The headers the running Node was installed with (Debian's /usr/include/node, nvm's and the
// official tarballs' <prefix>/include/node), or undefined when it came without them.
function findLocalHeaders() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, "include", "node", "common.gypi")) ? prefix : undefined;
}

// npm tells its lifecycle scripts where its bundled node-gyp is; outside npm, ask npm's own install.
function findNodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmCli = join(dirname(dirname(process.execPath)), "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
  return existsSync(npmCli) ? npmCli : undefined;
}

// Runs a step in better-sqlite3's folder; its output (a compiler's pages of warnings) is shown only
// when the step fails. Returns whether it succeeded.
function run(label, command, args, showFailure = true) {
  process.stderr.write(`magi: ${label}\n`);
  const result = spawnSync(command, args, { cwd: packageDir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0 && showFailure) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`.split("\n").slice(-40).join("\n") + "\n");
  return result.status === 0;
}

// Starts the sandbox's one-time Synapse install in the background (bot/synapse/prefetch-synapse.ts), so it
// overlaps the compile below. It never fails the install; MAGI_SKIP_SYNAPSE_PREFETCH=1 turns it off.
function startSynapsePrefetch() {
  if (process.env.MAGI_SKIP_SYNAPSE_PREFETCH === "1") return;
  const script = join(root, "bot", "synapse", "prefetch-synapse.ts");
  if (!existsSync(script) || !existsSync(join(root, "node_modules", "tsx"))) return;
  try {
    const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: root, detached: true, stdio: "ignore" });
    child.on("error", () => {});
    child.unref();
    process.stderr.write("magi: installing the sandbox's Synapse in the background (its log: synapse-venv.install.log beside the venv, ~/.cache/magi by default)\n");
  } catch {
    // Only a head start: npm start installs Synapse itself when this could not.
  }
}

function main() {
  startSynapsePrefetch();
  if (!existsSync(packageDir)) return 0;
  if (addonWorks()) return 0;
  const prebuild = join(dirname(require.resolve("prebuild-install/package.json")), "bin.js");
  if (run("fetching better-sqlite3's prebuilt addon", process.execPath, [prebuild], false) && addonWorks()) return 0;
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) {
    process.stderr.write("magi: cannot find node-gyp to build better-sqlite3; install npm's node-gyp or a Node with headers\n");
    return 1;
  }
  const headers = findLocalHeaders();
  const args = [nodeGyp, "rebuild", "--release", ...(headers ? [`--nodedir=${headers}`] : [])];
  const how = headers ? `against the headers in ${join(headers, "include", "node")}` : "with headers downloaded by node-gyp";
  if (run(`no prebuilt addon; compiling better-sqlite3 ${how} (about a minute; needs python3, make and g++)`, process.execPath, args) && addonWorks()) return 0;
  process.stderr.write("magi: better-sqlite3 could not be built; the last lines of the build are above (Debian: apt-get install python3 make g++)\n");
  return 1;
}

process.exit(main());
