// !status through a real magi process, a real Synapse and real sshd hosts running fake NixOS tools.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TimelineEvent } from "./harness/matrix-user.ts";
import { countLogins, createSleepMarker, findProcesses, waitUntilGone } from "./harness/ssh-helpers.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor } from "./harness/test-hosts.ts";

const FAKES = fileURLToPath(new URL("../fakes/nixos", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "magi-status-e2e-"));
const TIMEOUT_SECONDS = 2;

// A realistic system path; the target need not exist, readlink prints it as is.
const system = (host: string, date: string, rev: string) => `/nix/store/${rev.padEnd(32, "x").slice(0, 32)}-nixos-system-${host}-24.11.${date}.${rev}`;
const CURRENT = (host: string) => system(host, "20241201", "abcdef0");
const OLD = (host: string) => system(host, "20241115", "1234567");

const FAILED_UNITS = '[{"unit":"nginx.service","load":"loaded","active":"failed","sub":"failed","description":"Nginx Web Server"},{"unit":"restic-backups-nas.service","load":"loaded","active":"failed","sub":"failed","description":"restic backup nas"}]\n';
const DEGRADED = "  pool: tank\n state: DEGRADED\nstatus: One or more devices could not be used because the label is missing or\n\tinvalid.  Sufficient replicas exist for the pool to continue\n\tfunctioning in a degraded state.\naction: Replace the device using 'zpool replace'.\nconfig:\n\n\tNAME        STATE     READ WRITE CKSUM\n\ttank        DEGRADED     0     0     0\n\t  mirror-0  DEGRADED     0     0     0\n\t    sda     ONLINE       0     0     0\n\t    sdb     UNAVAIL      0     0     0\n\nerrors: No known data errors\n";
const DF = "Filesystem     1024-blocks      Used Available Capacity Mounted on\ntmpfs              2006716      8236   1998480       1% /run\n/dev/nvme0n1p2   479596200 201943532 253234324      45% /\n/dev/nvme0n1p3   479596200 445024800  34571400      93% /var\n/dev/nvme0n1p1     1046512    421644    624868      41% /boot\n";
const NODES = (second: string) => `NAME        STATUS     ROLES                  AGE   VERSION\nmisato      Ready      control-plane,master   41d   v1.30.6+k3s1\nbalthasar   ${second.padEnd(10)} <none>                 41d   v1.30.6+k3s1\n`;

// Starts a host whose fake tools answer from files in its own dir; nixos hosts get a private /run with system links.
async function startHost(name: string, files: Record<string, string>, links?: { current: string; booted: string }): Promise<TestSshd> {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(home, file), content);
  // HOME in the host dir keeps root's ~/.bashrc (pyenv, ~0.1 s of CPU per command here) out of every probe.
  const env = { MAGI_FAKE_DIR: home, HOME: home };
  if (!links) return startSshd({ dir, name, env });
  return startSshd({ dir, name, env, pathPrefix: FAKES, runLinks: { "current-system": links.current, "booted-system": links.booted } });
}

const callLog = (name: string) => (existsSync(join(dir, name, "calls.log")) ? readFileSync(join(dir, name, "calls.log"), "utf8") : "");

// The cells of each row of the reply's HTML table, keyed by host.
function readRows(reply: TimelineEvent): Map<string, string[]> {
  const html = String(reply.content.formatted_body);
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  // The fleet table is too wide for one line, so it arrives as a list: "<b>host</b><br>state: … · up: … · …".
  const rows = [...html.matchAll(/<li><b>(.*?)<\/b><br>(.*?)<\/li>/g)].map((m) => [m[1]!, ...m[2]!.split(" · ").map((f) => f.slice(f.indexOf(": ") + 2))].map(unescape));
  return new Map(rows.map((r) => [r[0]!, r]));
}

describe("!status", () => {
  let fx: MagiFixture;
  let bot: BotProcess;
  const hosts: Record<string, TestSshd> = {};

  beforeAll(async () => {
    const [misato, balthasar, casper, melchior, nas] = await Promise.all([
      startHost("misato", { "failed-units.json": FAILED_UNITS, "zpool-status.txt": "all pools are healthy\n", "kubectl-nodes.txt": NODES("Ready"), "sessions.log": "" }, { current: CURRENT("misato"), booted: OLD("misato") }),
      startHost("balthasar", { "zpool-status.txt": DEGRADED, "df.txt": DF, "kubectl-nodes.txt": NODES("NotReady") }, { current: CURRENT("balthasar"), booted: CURRENT("balthasar") }),
      startHost("casper", {}, { current: CURRENT("casper"), booted: CURRENT("casper") }),
      startHost("melchior", {}, { current: CURRENT("melchior"), booted: CURRENT("melchior") }),
      startHost("nas", {}),
    ]);
    Object.assign(hosts, { misato, balthasar, casper, melchior, nas });
    // Down: its port is closed, so connecting is refused at once.
    await melchior!.stop();
    fx = await createMagiFixture("status");
    fx.config = {
      hosts: {
        misato: hostConfigFor(misato!, { tags: ["k3s", "prod"] }),
        balthasar: hostConfigFor(balthasar!, { tags: ["k3s"] }),
        casper: hostConfigFor(casper!, { tags: ["prod"] }),
        melchior: hostConfigFor(melchior!, { tags: ["prod"] }),
        nas: hostConfigFor(nas!, { tags: ["storage"] }),
        vps: { address: "203.0.113.7", tags: ["prod"] },
      },
      status: {
        timeout_seconds: TIMEOUT_SECONDS,
        concurrency: 4,
        disk_threshold_percent: 90,
        checks: [{ name: "k8s-nodes", command: ["kubectl", "get", "nodes"], tags: ["k3s"], ok: { exit_code: 0, stdout_excludes: "NotReady" } }],
      },
    };
    bot = await fx.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await Promise.all(Object.values(hosts).map((h) => h.stop()));
  });

  const ask = async (text: string, timeoutMs = 15_000) => {
    const command = await fx.admin.say(fx.roomId, text);
    const reply = await fx.admin.waitForReply(fx.roomId, command, timeoutMs);
    const sent = (await fx.admin.timeline(fx.roomId)).find((e) => e.event_id === command)!;
    return { command, reply, body: String(reply.content.body), tookMs: reply.origin_server_ts - sent.origin_server_ts };
  };

  it("refuses unknown hosts, addresses and shell text, and runs nothing anywhere", async () => {
    const cases: [string, string][] = [
      ["!status nobody", "unknown host nobody: use a name from !hosts, a @tag, or all"],
      ["!status 127.0.0.1", "expected a host name from !hosts (lower-case letters, digits and dashes), a @tag, a,b or all. Usage: !status [host|@tag|a,b|all]"],
      ["!status misato;reboot", "expected a host name from !hosts (lower-case letters, digits and dashes), a @tag, a,b or all. Usage: !status [host|@tag|a,b|all]"],
      ["!status $(id)", "expected a host name from !hosts (lower-case letters, digits and dashes), a @tag, a,b or all. Usage: !status [host|@tag|a,b|all]"],
      ["!status misato reboot", "expected at most one argument. Usage: !status [host|@tag|a,b|all]"],
    ];
    for (const [text, message] of cases) expect((await ask(text)).body).toBe(message);
    for (const name of ["misato", "balthasar", "casper", "nas"]) {
      expect(callLog(name)).toBe("");
      expect(countLogins(hosts[name]!)).toBe(0);
    }
  });

  it("answers for the whole fleet within the timeout while one host hangs and one is down", async () => {
    hosts.casper!.pause();
    try {
      const { command, reply, body, tookMs } = await ask("!status");
      expect(reply.content["m.relates_to"]).toEqual({ "m.in_reply_to": { event_id: command } });
      expect(tookMs).toBeLessThan(TIMEOUT_SECONDS * 1000 + 2500);
      expect(body).toMatch(/^6 hosts in \d\.\d s: 1 ok, 2 attention, 2 unreachable, 1 no ssh configured\n• misato\n  state: attention · up: /);
      const rows = readRows(reply);
      expect([...rows.keys()]).toEqual(["misato", "balthasar", "casper", "melchior", "nas", "vps"]);
      expect(rows.get("misato")).toEqual(["misato", "attention", expect.any(String), expect.any(String), "24.11.20241201.abcdef0", "reboot pending; failed: nginx.service, restic-backups-nas.service"]);
      expect(rows.get("balthasar")!.slice(4)).toEqual(["24.11.20241201.abcdef0", "disk /var 93%; zfs tank DEGRADED; check k8s-nodes failed"]);
      expect(rows.get("casper")).toEqual(["casper", "unreachable", "—", "—", "—", "no answer within 2 s"]);
      expect(rows.get("melchior")).toEqual(["melchior", "unreachable", "—", "—", "—", "connection refused"]);
      expect(rows.get("nas")!.slice(0, 2)).toEqual(["nas", "ok"]);
      expect(rows.get("nas")![4]).toBe("not NixOS");
      expect(rows.get("vps")).toEqual(["vps", "no ssh configured", "—", "—", "—", "—"]);
    } finally {
      hosts.casper!.resume();
    }
  });

  it("shows every fact for one host, having run only the fixed commands", async () => {
    writeFileSync(join(dir, "misato", "sessions.log"), "");
    const { body } = await ask("!status misato");
    const lines = body.split("\n");
    expect(lines[0]).toMatch(/^misato: attention \(answered in \d\.\d s\)$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^• uptime: \d+[dhms]/),
      expect.stringMatching(/^• load: \d+\.\d\d \d+\.\d\d \d+\.\d\d$/),
      "• NixOS: 24.11.20241201.abcdef0 (nixpkgs abcdef0c5b6a, configuration 9c1a2b3c4d5e)",
      "• generation: unknown (no system profile)",
      `• current system: ${CURRENT("misato")}`,
      `• reboot pending: yes — booted ${OLD("misato")}`,
      "• failed units: nginx.service (failed), restic-backups-nas.service (failed)",
      expect.stringMatching(/^• disks: /),
      "• ZFS: all pools healthy",
      "• check k8s-nodes: ok",
    ]);
    const calls = new Set(callLog("misato").trim().split("\n"));
    expect(calls).toEqual(new Set(["nixos-version --json", "systemctl list-units --failed --output=json --no-pager", "zpool status -x", "df -P", "kubectl get nodes"]));
    // One SSH session ran every built-in probe; the custom check had its own.
    const sessions = readFileSync(join(dir, "misato", "sessions.log"), "utf8").trim().split("\n").map((l) => l.split(" ") as [string, string]);
    const probeSessions = new Set(sessions.filter(([tool]) => tool !== "kubectl").map(([, id]) => id));
    expect(sessions.map(([tool]) => tool).sort()).toEqual(["df", "kubectl", "nixos-version", "systemctl", "zpool"]);
    expect(probeSessions.size).toBe(1);
    expect(probeSessions.has(sessions.find(([tool]) => tool === "kubectl")![1])).toBe(false);
  });

  it("answers at the deadline while one probe hangs ignoring TERM, and leaves nothing running on the host", async () => {
    const marker = createSleepMarker();
    writeFileSync(join(dir, "misato", "zpool-hang"), `${marker}\n`);
    try {
      const { body, tookMs } = await ask("!status misato");
      expect(tookMs).toBeLessThan(TIMEOUT_SECONDS * 1000 + 2500);
      expect(body).toMatch(/^misato: attention \(answered in 2\.\d s\)\n/);
      expect(body).toContain("• ZFS: unknown — no answer within 2 s");
      // The other probes' sections arrived while zpool hung.
      expect(body).toContain("• failed units: nginx.service (failed), restic-backups-nas.service (failed)");
      expect(body).toContain("• NixOS: 24.11.20241201.abcdef0");
      expect(await waitUntilGone(`sleep ${marker}`, 5_000)).toEqual([]);
    } finally {
      rmSync(join(dir, "misato", "zpool-hang"));
      for (const pid of await findProcesses(`sleep ${marker}`)) process.kill(Number(pid), "SIGKILL");
    }
  });

  it("says what does not apply on a host that is not NixOS and has no ZFS", async () => {
    const { body } = await ask("!status nas");
    expect(body).toMatch(/^nas: ok \(answered in \d\.\d s\)\n/);
    expect(body).toContain("• NixOS: not NixOS (no version, generation or reboot check)");
    expect(body).toContain("• failed units: no systemd");
    expect(body).not.toContain("ZFS");
    expect(body).not.toContain("reboot pending");
  });

  it("selects hosts by tag, and explains a host without ssh settings", async () => {
    const { reply, body } = await ask("!status @k3s");
    expect(body).toMatch(/^2 hosts in \d\.\d s: 2 attention\n/);
    expect([...readRows(reply).keys()]).toEqual(["misato", "balthasar"]);
    expect((await ask("!status vps")).body).toBe("vps: no ssh configured — magi has no SSH settings for it, so it cannot check it");
  });
});
