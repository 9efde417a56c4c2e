// A real OpenSSH server on 127.0.0.1 for e2e tests, started without privileges of its own.
//
// Checked against OpenSSH 9.2p1 (Debian 12):
// - Running as root works and root may log in with a key: `PermitRootLogin prohibit-password`
//   (the default) is enough; sshd then insists on /run/sshd existing, which prepareSshd creates.
// - `SetEnv PATH=…` in sshd_config reaches sessions (the `environment=` option would need
//   `PermitUserEnvironment yes` too). Root's ~/.bashrc here still prepends its toolchain
//   dirs (go, cargo, pyenv), which bash reads for ssh commands, so fake tools must not share
//   names with those; they do come before /usr/bin.
// - `-e` sends the log to stderr: one "Accepted publickey" line per connection, which tests
//   count to prove connection reuse.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { userInfo } from "node:os";
import { join } from "node:path";
import { prepareSshd, waitForSshBanner } from "../../../bot/sandbox/prepare-sshd.ts";
import { findFreePort } from "../../../bot/synapse/start-synapse.ts";
import { quotePosix } from "../../../runners/ssh/quote.ts";
import { listProcessTree, signalEach } from "./procs.ts";

// A running test sshd and the handles tests use to break it.
export type TestSshd = {
  name: string;
  port: number;
  address: "127.0.0.1";
  user: string;
  hostKeyLine: string;
  clientKeyPath: string;
  pid: number;
  log: () => string;
  stop: () => Promise<void>;
  pause: () => void;
  resume: () => void;
  kill: () => void;
};

// Options for startSshd; pathPrefix is put first on PATH for sessions; env adds session variables
// (no spaces or quotes); runLinks gives the host a private /run holding these symlinks (name -> target),
// as /run/current-system and /run/booted-system on NixOS, in a mount namespace of its own (as root, or as
// a normal user through user namespaces).
export type StartSshdOptions = {
  dir: string;
  name: string;
  port?: number;
  pathPrefix?: string;
  env?: Record<string, string>;
  runLinks?: Record<string, string>;
};

const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The sshd_config line giving sessions PATH (fake tools first) and env; sshd uses only the first
// SetEnv line, so every variable goes on this one.
function buildSetEnv(pathPrefix?: string, env: Record<string, string> = {}): string {
  const path = pathPrefix ? `${pathPrefix}:${SYSTEM_PATH}` : SYSTEM_PATH;
  const extra = Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || /[\s"']/.test(v)) throw new Error(`unsupported session variable ${k}=${v}`);
    return ` ${k}=${v}`;
  });
  return `SetEnv PATH=${path}${extra.join("")}`;
}

// Runs argv in a new mount namespace with a fresh tmpfs on /run holding links; unshare and sh
// all exec, so the pid stays sshd's and stop/pause/kill work unchanged. unshare makes mounts
// private by default, so nothing leaks into the real /run. A normal user first gets a user
// namespace where it is root (to mount), then a nested one mapping its own uid back, so sshd
// runs as that user (as an unprivileged sshd must) with the private /run still in place.
function wrapInMountNamespace(argv: string[], links?: Record<string, string>): string[] {
  if (!links) return argv;
  const steps = ["set -e", "mount -t tmpfs -o mode=755 tmpfs /run", "mkdir -p /run/sshd"];
  for (const [name, target] of Object.entries(links)) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`bad /run link name ${name}`);
    steps.push(`ln -s ${quotePosix(target)} /run/${name}`);
  }
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return ["unshare", "-m", "--", "sh", "-c", [...steps, 'exec "$@"'].join("\n"), "sh", ...argv];
  const back = `exec unshare --user --map-user=${uid} --map-group=${process.getgid?.() ?? uid} -- "$@"`;
  return ["unshare", "--map-root-user", "-m", "--", "sh", "-c", [...steps, back].join("\n"), "sh", ...argv];
}

// Starts sshd with fresh host and client keys under dir/name and waits until it serves.
export async function startSshd(opts: StartSshdOptions): Promise<TestSshd> {
  const dir = join(opts.dir, opts.name);
  const port = opts.port ?? (await findFreePort());
  // Sessions' TMPDIR is the host's own directory: the SSH wrapper's status directories of commands
  // whose connection a test cut stay with the test, not in the machine's /tmp.
  const files = await prepareSshd(dir, port, opts.name, [buildSetEnv(opts.pathPrefix, { TMPDIR: dir, ...opts.env })]);
  const [command, ...args] = wrapInMountNamespace(["/usr/sbin/sshd", "-D", "-e", "-f", files.config], opts.runLinks);
  const child = spawn(command!, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d: Buffer) => (log += d.toString()));
  let exited = false;
  child.once("exit", () => (exited = true));
  const pid = child.pid!;
  // Stopped processes survive their parent; never leave one behind if a test forgets stop().
  const killOnExit = () => signalEach(listProcessTree(pid), "SIGKILL");
  process.once("exit", killOnExit);
  const deadline = Date.now() + 10_000;
  while (!(await waitForSshBanner(port, 500))) {
    if (exited || Date.now() > deadline) {
      killOnExit();
      throw new Error(`sshd ${opts.name} did not start on port ${port}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let paused: number[] = [];
  return {
    name: opts.name,
    port,
    address: "127.0.0.1",
    user: userInfo().username,
    hostKeyLine: files.hostKeyLine,
    clientKeyPath: files.clientKeyPath,
    pid,
    log: () => log,
    stop: async () => {
      process.off("exit", killOnExit);
      if (exited) return;
      const tree = listProcessTree(pid);
      signalEach(tree, "SIGCONT");
      signalEach(tree, "SIGTERM");
      await once(child, "exit");
    },
    // Freezes the listener and every connection child, like a hung machine.
    pause: () => {
      paused = listProcessTree(pid);
      signalEach(paused, "SIGSTOP");
    },
    resume: () => signalEach(paused.splice(0), "SIGCONT"),
    // Kills everything at once: the kernel then resets the TCP connections.
    kill: () => signalEach(listProcessTree(pid), "SIGKILL"),
  };
}
