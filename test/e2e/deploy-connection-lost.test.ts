// A deploy run on the host over SSH (nixos-rebuild-on-host) whose connection is cut while magi keeps
// running: the host's sshd session processes are killed, the command lives on there (the wrapper
// detaches it), and magi follows it over a new connection instead of ending the job: the room is
// told, the host stays locked, and the job ends with the exit status the wrapper left behind.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { listProcessTree, signalEach } from "./harness/procs.ts";
import { useSlowDeployWorld, type SlowDeploy } from "./harness/slow-deploy.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The host's sshd processes serving connections (not the listener, not what the sessions run):
// killing them closes magi's TCP connection from the host's side while magi keeps running.
function listSessionProcesses(listener: number): number[] {
  return listProcessTree(listener).filter((pid) => {
    if (pid === listener) return false;
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim().startsWith("sshd");
    } catch {
      return false;
    }
  });
}

describe("a deploy on the host whose connection drops while magi runs", () => {
  const world = useSlowDeployWorld("deploy-connection-lost", "nixos-rebuild-on-host");

  // Starts a slow deploy on the host, waits until its fake build sleeps, and cuts magi's connection under it.
  async function deployThenCut(): Promise<SlowDeploy> {
    const deploy = await world().startSlowDeploy();
    const sessions = listSessionProcesses(world().misato.pid);
    expect(sessions.length).toBeGreaterThan(0);
    signalEach(sessions, "SIGKILL");
    return deploy;
  }

  it("says the command keeps running and magi follows it, keeps the host locked, and ends with its exit status", async () => {
    const { id, message, leader, child } = await deployThenCut();
    const following = await world().bodyOf(message, /magi is following it/);
    expect(following).toMatch(new RegExp(`^job ${id} · deploy misato · still running after the connection dropped \\(pid ${leader}\\) · `));
    expect(following).toContain(`lost the connection to misato; nixos-rebuild (pid ${leader}) keeps running there — magi is following it (`);
    // The host is locked: a second deploy waits behind the followed one and does not start.
    world().endSlowMode();
    const second = await world().jobMessage(await world().fx.admin.say(world().fx.roomId, "!deploy misato"));
    expect(second.content.body).toMatch(new RegExp(`\njob \\d+ · deploy misato · queued, waiting behind job ${id} on misato$`));
    await sleep(2_000);
    expect(readFileSync(world().calls, "utf8").match(/^nixos-rebuild\tswitch\t/gm)).toHaveLength(1);
    expect(world().isAlive(leader)).toBe(true);
    // The build ends: the fake goes on (writing to pipes sshd has closed) and switches the host.
    process.kill(child, "SIGKILL");
    const ended = await world().bodyOf(message, /succeeded|failed|interrupted/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · succeeded after \\d+ s, exit code 0: nixos-rebuild \\(pid ${leader}\\) ended on misato \\d+ s after the connection dropped; misato runs [0-9a-z]{32}-nixos-system-misato-25\\.05\\.20250601\\.[0-9a-f]{7}$`));
    // The wrapper's status directory is gone once read; only now does the second deploy run (with a directory of its
    // own, so the folder is empty only after both).
    expect(existsSync(world().statusDirOf(id))).toBe(false);
    expect(await world().bodyOf(second.event_id, /succeeded|failed/)).toMatch(/succeeded/);
    expect(readdirSync(world().hostTmp)).toEqual([]);
  });

  it("stops the command's whole group on the host when the followed job is cancelled", async () => {
    const { id, message, leader, child } = await deployThenCut();
    await world().bodyOf(message, /magi is following it/);
    await world().fx.admin.say(world().fx.roomId, `!cancel ${id}`);
    const ended = await world().bodyOf(message, /cancelled/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · cancelled after \\d+ s: nixos-rebuild \\(pid ${leader}\\) on misato, which magi followed after the connection dropped, was stopped after \\d+ s; check !generations misato`));
    for (let i = 0; i < 50 && (world().isAlive(leader) || world().isAlive(child)); i++) await sleep(100);
    expect(world().isAlive(leader) || world().isAlive(child)).toBe(false);
    expect(readdirSync(world().hostTmp)).toEqual([]);
  });
});
