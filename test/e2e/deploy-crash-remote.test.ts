// A deploy run on the host over SSH (nixos-rebuild-on-host) whose magi is killed with SIGKILL: the
// command lives on there (the wrapper detaches it), and after the restart magi asks the host about
// the pid, start time and boot id the wrapper reported, tells the room it still runs and keeps the
// host locked, then adopts the exit status the wrapper left behind; or says how it ended while
// magi was down.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useSlowDeployWorld, type SlowDeploy } from "./harness/slow-deploy.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a deploy on the host that outlives magi", () => {
  const world = useSlowDeployWorld("deploy-crash-remote", "nixos-rebuild-on-host");

  const name = () => world().fx.admin.userId.slice(1).split(":")[0];
  const noticeFor = (text: string) => world().fx.admin.waitFor(world().fx.roomId, (e) => e.sender === world().fx.botUserId && String(e.content.body).includes(text));
  const readRow = (id: number) => {
    const db = new Database(world().fx.dbPath, { readonly: true });
    const row = db.prepare("SELECT state, proc_pid AS pid, proc_name AS name, proc_host AS host, proc_status_dir AS statusDir FROM jobs WHERE id = ?").get(id);
    db.close();
    return row as { state: string; pid: number; name: string; host: string; statusDir: string };
  };

  // Starts a slow deploy on the host, waits until its fake build sleeps, and kills magi with SIGKILL under it.
  async function deployThenKillMagi(): Promise<SlowDeploy> {
    const deploy = await world().startSlowDeploy();
    await world().bot.kill();
    // sshd notices the dead connection and closes the session's pipes; the command must live on.
    await sleep(1_000);
    expect(world().isAlive(deploy.leader) && world().isAlive(deploy.child)).toBe(true);
    return deploy;
  }

  it("finds the command still running on the host after a restart, keeps the host locked, and adopts its exit status when it ends", async () => {
    const { id, message, leader, child } = await deployThenKillMagi();
    const row = readRow(id);
    expect(row).toMatchObject({ state: "running", pid: leader, name: "nixos-rebuild", host: "misato" });
    expect(row.statusDir.startsWith(`${world().hostTmp}/magi-`)).toBe(true);
    await world().restart();
    const notice = await noticeFor(`job ${id} (deploy misato): magi restarted`);
    expect(notice.content.body).toBe(`${name()}: job ${id} (deploy misato): magi restarted while this deploy was running; nixos-rebuild (pid ${leader}) is still running on misato — magi is waiting for it to end, and misato stays locked until then.`);
    expect(notice.content["m.mentions"]).toEqual({ user_ids: [world().fx.admin.userId] });
    expect(await world().bodyOf(message, /still running after restart/)).toMatch(new RegExp(`^job ${id} · deploy misato · still running after restart \\(pid ${leader}\\) · `));
    // The host is locked: a second deploy waits behind the old one and does not start.
    world().endSlowMode();
    const second = await world().jobMessage(await world().fx.admin.say(world().fx.roomId, "!deploy misato"));
    expect(second.content.body).toMatch(new RegExp(`\njob \\d+ · deploy misato · queued, waiting behind job ${id} on misato$`));
    await sleep(2_000);
    expect(readFileSync(world().calls, "utf8").match(/^nixos-rebuild\tswitch\t/gm)).toHaveLength(1);
    expect(world().isAlive(leader)).toBe(true);
    // The build ends: the fake goes on (writing to pipes sshd has closed) and switches the host.
    process.kill(child, "SIGKILL");
    const ended = await world().bodyOf(message, /succeeded|failed|interrupted/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · succeeded after \\d+ s, exit code 0: nixos-rebuild \\(pid ${leader}\\) ended on misato \\d+ s after magi restarted; misato runs [0-9a-z]{32}-nixos-system-misato-25\\.05\\.20250601\\.[0-9a-f]{7}$`));
    const end = await noticeFor(`!log ${id}`);
    expect(end.content.body).toMatch(new RegExp(`^${name()}: deploy misato succeeded after .*: nixos-rebuild \\(pid ${leader}\\) ended on misato \\d+ s after magi restarted; misato runs `));
    // The wrapper's status directory is gone once read; only now does the second deploy run (with a directory of its
    // own, so the folder is empty only after both).
    expect(existsSync(world().statusDirOf(id))).toBe(false);
    expect(await world().bodyOf(second.event_id, /succeeded|failed/)).toMatch(/succeeded/);
    expect(readdirSync(world().hostTmp)).toEqual([]);
  });

  it("stops the command's whole group on the host when the adopted job is cancelled", async () => {
    const { id, message, leader, child } = await deployThenKillMagi();
    await world().restart();
    await noticeFor(`job ${id} (deploy misato): magi restarted`);
    await world().fx.admin.say(world().fx.roomId, `!cancel ${id}`);
    const ended = await world().bodyOf(message, /cancelled/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · cancelled after \\d+ s: nixos-rebuild \\(pid ${leader}\\) on misato, which outlived magi's restart, was stopped after \\d+ s; check !generations misato`));
    expect(world().isAlive(leader) || world().isAlive(child)).toBe(false);
    expect(readdirSync(world().hostTmp)).toEqual([]);
  });

  it("says how a command that ended while magi was down ended, from the status the wrapper left", async () => {
    const { id, message, leader, child } = await deployThenKillMagi();
    // Someone stops the deploy on the host while magi is down: it ends with 128 + SIGTERM.
    process.kill(leader, "SIGTERM");
    process.kill(child, "SIGKILL");
    const { statusDir } = readRow(id);
    for (let i = 0; i < 50 && !existsSync(join(statusDir, "status")); i++) await sleep(100);
    expect(readFileSync(join(statusDir, "status"), "utf8")).toBe("143\n");
    await world().restart();
    const ended = await world().bodyOf(message, /failed|succeeded|interrupted/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · failed after \\d+ s, exit code 143: nixos-rebuild \\(pid ${leader}\\) ended on misato while magi was down; misato runs [0-9a-z]{32}-nixos-system-misato-.*; its output after the restart is not in this log — check !generations misato\nnixos-rebuild \\(pid ${leader}\\) ended on misato while magi was down; exit status 143$`));
    const end = await noticeFor(`!log ${id}`);
    expect(end.content.body).toMatch(new RegExp(`^${name()}: deploy misato failed after .* \\(exit 143\\): nixos-rebuild \\(pid ${leader}\\) ended on misato while magi was down`));
    expect(existsSync(statusDir)).toBe(false);
    // Nothing holds the host: the next deploy runs at once.
    world().endSlowMode();
    const next = await world().jobMessage(await world().fx.admin.say(world().fx.roomId, "!deploy misato"));
    expect(await world().bodyOf(next.event_id, /succeeded|failed/)).toMatch(/succeeded/);
  });
});
