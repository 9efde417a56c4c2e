// A local deploy whose magi is killed with SIGKILL: after the restart the process is found (pid,
// start time, boot id from the job row), the room is told, the host stays locked until it ends,
// and the job then ends honestly; a process already gone is reported interrupted.
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { useSlowDeployWorld, type SlowDeploy } from "./harness/slow-deploy.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a deploy process that outlives magi", () => {
  const world = useSlowDeployWorld("deploy-crash", "nixos-rebuild");

  // Starts a slow deploy, waits until its fake build sleeps, and kills magi with SIGKILL under it.
  async function deployThenKillMagi(): Promise<SlowDeploy> {
    const deploy = await world().startSlowDeploy();
    await world().bot.kill();
    expect(world().isAlive(deploy.leader) && world().isAlive(deploy.child)).toBe(true);
    return deploy;
  }

  it("finds the deploy still running after a restart, keeps the host locked, and ends the job honestly when it ends", async () => {
    const { id, message, leader, child } = await deployThenKillMagi();
    const db = new Database(world().fx.dbPath, { readonly: true });
    const row = db.prepare("SELECT state, proc_pid AS pid, proc_pgid AS pgid, proc_name AS name FROM jobs WHERE id = ?").get(id);
    db.close();
    expect(row).toEqual({ state: "running", pid: leader, pgid: leader, name: "nixos-rebuild" });
    await world().restart();
    const notice = await world().fx.admin.waitFor(world().fx.roomId, (e) => e.sender === world().fx.botUserId && String(e.content.body).includes(`job ${id} (deploy misato): magi restarted`));
    expect(notice.content.body).toBe(`${world().fx.admin.userId.slice(1).split(":")[0]}: job ${id} (deploy misato): magi restarted while this deploy was running; nixos-rebuild (pid ${leader}) is still running on magi's machine — magi is waiting for it to end, and misato stays locked until then.`);
    expect(notice.content["m.mentions"]).toEqual({ user_ids: [world().fx.admin.userId] });
    expect(await world().bodyOf(message, /still running after restart/)).toMatch(new RegExp(`^job ${id} · deploy misato · still running after restart \\(pid ${leader}\\) · `));
    const jobs = await world().fx.admin.waitForReply(world().fx.roomId, await world().fx.admin.say(world().fx.roomId, "!jobs"));
    // !jobs wraps long cells; what matters is the words a reader sees.
    expect(String(jobs.content.body).replace(/\s+/g, " ")).toContain(`state: still running after restart (pid ${leader})`);
    // The host is locked: a second deploy waits behind the old one and does not start.
    world().endSlowMode();
    const second = await world().fx.admin.say(world().fx.roomId, "!deploy misato");
    const secondJob = await world().jobMessage(second);
    expect(secondJob.content.body).toMatch(new RegExp(`\njob \\d+ · deploy misato · queued, waiting behind job ${id} on misato$`));
    await sleep(2_000);
    expect(readFileSync(world().calls, "utf8").match(/^nixos-rebuild\tswitch\t/gm)).toHaveLength(1);
    expect(world().isAlive(leader)).toBe(true);
    // The build ends (its sleeping child dies); the leader then ends too.
    process.kill(child, "SIGKILL");
    const ended = await world().bodyOf(message, /interrupted/);
    expect(ended).toMatch(new RegExp(`^job ${id} · deploy misato · interrupted after \\d+ s: the deploy process outlived magi's restart and ended after \\d+ s; its result is unknown — check !generations misato$`));
    expect(world().isAlive(leader)).toBe(false);
    const end = await world().fx.admin.waitFor(world().fx.roomId, (e) => e.sender === world().fx.botUserId && String(e.content.body).includes(`deploy misato interrupted`) && String(e.content.body).includes(`!log ${id}`));
    expect(end.content["m.mentions"]).toEqual({ user_ids: [world().fx.admin.userId] });
    // Only now does the second deploy run.
    expect(await world().bodyOf(secondJob.event_id, /succeeded|failed/)).toMatch(/succeeded/);
  });

  it("reports a deploy whose process ended while magi was down as interrupted, saying the process had ended", async () => {
    const { id, message, leader } = await deployThenKillMagi();
    process.kill(-leader, "SIGKILL");
    for (let i = 0; i < 50 && world().isAlive(leader); i++) await sleep(100);
    expect(world().isAlive(leader)).toBe(false);
    await world().restart();
    const notice = await world().fx.admin.waitFor(world().fx.roomId, (e) => e.sender === world().fx.botUserId && String(e.content.body).includes(`job ${id} (deploy misato) was interrupted`));
    expect(notice.content.body).toBe(`${world().fx.admin.userId.slice(1).split(":")[0]}: job ${id} (deploy misato) was interrupted: magi stopped while it was running. It was not re-run; check misato and start it again if it is still needed.`);
    expect(await world().bodyOf(message, /interrupted/)).toMatch(new RegExp(`^job ${id} · deploy misato · interrupted after \\d+ s: its nixos-rebuild \\(pid ${leader}\\) had ended before magi restarted; its result is unknown — check !generations misato$`));
    // Nothing holds the host: the next deploy runs at once.
    world().endSlowMode();
    const next = await world().jobMessage(await world().fx.admin.say(world().fx.roomId, "!deploy misato"));
    expect(await world().bodyOf(next.event_id, /succeeded|failed/)).toMatch(/succeeded/);
  });
});
