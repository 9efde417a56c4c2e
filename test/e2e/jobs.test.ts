// Host actions as jobs through a real magi, real Synapse and real sshd hosts: wake, queueing, cancel, logs, restarts, shutdown.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, latestBody } from "./harness/test-hosts.ts";
import { startUdpListener, type UdpListener } from "./harness/wake-helpers.ts";

const FAKES = fileURLToPath(new URL("../fakes/power", import.meta.url));
const MAC = "52:54:00:12:34:56";

describe("jobs", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-jobs-"));
  let fx: MagiFixture;
  let bot: BotProcess;
  let nas: TestSshd;
  let kaji: TestSshd;
  let asuka: TestSshd;
  let udp: UdpListener;

  const jobIdOf = (body: string) => Number(/^job (\d+) /.exec(body)?.[1]);
  async function finalBody(eventId: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const body = latestBody(await fx.admin.timeline(fx.roomId, 200), eventId) ?? "";
      if (pattern.test(body)) return body;
      if (Date.now() > deadline) throw new Error(`job message never matched ${pattern}; last: ${body}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    udp = await startUdpListener("127.0.0.1");
    nas = await startSshd({ dir, name: "nas" });
    kaji = await startSshd({ dir, name: "kaji", pathPrefix: FAKES, env: { MAGI_FAKE_HOST_DIR: join(dir, "kaji") } });
    asuka = await startSshd({ dir, name: "asuka", pathPrefix: FAKES, env: { MAGI_FAKE_HOST_DIR: join(dir, "asuka") } });
    fx = await createMagiFixture("jobs");
    fx.config.hosts = {
      nas: hostConfigFor(nas, { mac: MAC, wake: { broadcast: "127.0.0.1", port: udp.port, timeout_seconds: 60 } }),
      kaji: hostConfigFor(kaji, { tags: ["lab"] }),
      asuka: hostConfigFor(asuka, { tags: ["lab"] }),
      // asuka's address and port, but kaji's key: what a changed host key looks like.
      imposter: hostConfigFor({ ...asuka, hostKeyLine: kaji.hostKeyLine }),
    };
    fx.config.jobs = { confirm_minutes: 1 };
    bot = await fx.start();
  });

  afterAll(async () => {
    await bot?.stop();
    nas?.resume();
    await nas?.stop();
    await kaji?.stop();
    await asuka?.stop();
    // The fake reboot restarted asuka's sshd on its own; stop that one too.
    try {
      process.kill(Number(readFileSync(join(dir, "asuka", "sshd.pid"), "utf8")));
    } catch {
      // already gone
    }
    udp?.close();
  });

  it("wakes a sleeping host: exactly the magic packet, then the job message ends with the time it took", async () => {
    nas.pause();
    udp.packets.length = 0;
    const command = await fx.admin.say(fx.roomId, "!wake nas");
    const reply = await fx.admin.waitForReply(fx.roomId, command);
    expect(reply.content.body).toMatch(/^job \d+ · wake nas · (queued|running \(sending magic packet\) · 0 s)$/);
    await udp.waitForPackets(1);
    await new Promise((r) => setTimeout(r, 1500));
    nas.resume();
    const body = await finalBody(reply.event_id, /succeeded/);
    expect(body).toMatch(/^job \d+ · wake nas · succeeded after \d+ s: nas is up after \d+ s$/);
    const expected = Buffer.concat([Buffer.alloc(6, 0xff), ...Array.from({ length: 16 }, () => Buffer.from(MAC.split(":").map((h) => parseInt(h, 16))))]);
    expect(udp.packets).toHaveLength(1);
    expect(udp.packets[0]!.equals(expected)).toBe(true);

    const logCommand = await fx.admin.say(fx.roomId, `!log ${jobIdOf(body)}`);
    const file = await fx.admin.waitFor(fx.roomId, (e) => e.content.msgtype === "m.file" && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === logCommand);
    const bytes = await fx.admin.download(file.content.url as string);
    const db = new Database(fx.dbPath, { readonly: true });
    const stored = (db.prepare("SELECT text FROM job_logs WHERE job_id = ? ORDER BY seq").all(jobIdOf(body)) as { text: string }[]).map((r) => r.text).join("");
    db.close();
    expect(bytes.toString("utf8")).toBe(stored);
    expect(stored).toContain("magic packet");
    expect(file.content.info).toMatchObject({ mimetype: "text/plain", size: bytes.length });
  });

  it("queues a second mutating job on the same host, cancels, and lists jobs", async () => {
    nas.pause();
    const first = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!wake nas"));
    const firstId = jobIdOf(first.content.body);
    const second = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!wake nas"));
    expect(second.content.body).toBe(`job ${firstId + 1} · wake nas · queued, waiting behind job ${firstId} on nas`);
    const jobs = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!jobs"));
    expect(jobs.content.body).toMatch(new RegExp(`${firstId}\\s+wake nas\\s+\\S+\\s+running \\(`));
    expect(jobs.content.body).toMatch(new RegExp(`${firstId + 1}\\s+wake nas\\s+\\S+\\s+queued`));
    const cancel = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, `!cancel ${firstId}`));
    expect(cancel.content.body).toBe(`job ${firstId} (wake nas) is being cancelled.`);
    expect(await finalBody(first.event_id, /cancelled/)).toMatch(new RegExp(`^job ${firstId} · wake nas · cancelled after \\d+ s`));
    await finalBody(second.event_id, /running/);
    await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, `!cancel ${firstId + 1}`));
    await finalBody(second.event_id, /cancelled/);
    nas.resume();
  });

  it("marks a job interrupted when magi is killed mid-job, tells the room, and does not re-run it", async () => {
    nas.pause();
    const reply = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, "!wake nas"));
    const id = jobIdOf(reply.content.body);
    await finalBody(reply.event_id, /running/);
    await bot.kill();
    udp.packets.length = 0;
    bot = await fx.start();
    const notice = await fx.admin.waitFor(fx.roomId, (e) => String(e.content.body).includes(`job ${id} (wake nas) was interrupted`));
    // It mentions the requester (Synapse's default display name is the localpart), in reply to the command.
    expect(notice.content.body).toBe(`${fx.admin.userId.slice(1).split(":")[0]}: job ${id} (wake nas) was interrupted: magi stopped while it was running. It was not re-run; check nas and start it again if it is still needed.`);
    expect(notice.content["m.mentions"]).toEqual({ user_ids: [fx.admin.userId] });
    expect(await finalBody(reply.event_id, /interrupted/)).toMatch(new RegExp(`^job ${id} · wake nas · interrupted`));
    await new Promise((r) => setTimeout(r, 1000));
    expect(udp.packets).toHaveLength(0);
    nas.resume();
  });

  it("shuts a host down only after the requester's own ✅, and confirms it went down", async () => {
    const other = await fx.newUser("otheradmin");
    fx.access.users[other.userId] = "admin";
    await bot.stop();
    bot = await fx.start();
    const command = await fx.admin.say(fx.roomId, "!shutdown kaji");
    const prompt = await fx.admin.waitForReply(fx.roomId, command);
    expect(prompt.content.body).toMatch(/^⏳ shutdown kaji \(systemctl poweroff\), requested by @admin-jobs-\w+:localhost: react ✅ \(or 👍\) to confirm, ❌ \(or 👎\) to call it off within 1 min \(only @admin-jobs-\w+:localhost may confirm\)\.$/);
    await other.sendEvent(fx.roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: prompt.event_id, key: "✅" } });
    await bot.waitForLog((l) => l.msg === "reaction ignored" && String(l.why).startsWith("only"));
    expect(existsSync(join(dir, "kaji", "power-calls.log"))).toBe(false);
    await fx.admin.sendEvent(fx.roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: prompt.event_id, key: "✅\uFE0F" } });
    const jobReply = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && /^job \d+ · shutdown kaji/.test(String(e.content.body)) && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command);
    const body = await finalBody(jobReply.event_id, /succeeded|failed/, 40_000);
    expect(body).toMatch(/^job \d+ · shutdown kaji · succeeded after \d+ s, exit code 0: kaji is down after \d+ s$/);
    expect(readFileSync(join(dir, "kaji", "power-calls.log"), "utf8")).toBe("poweroff --no-block\n");
    expect(await finalBody(prompt.event_id, /Done/)).toMatch(/^✅ shutdown kaji \(systemctl poweroff\): approved by @admin-jobs-\w+:localhost\. Started job \d+\. Done: 1 succeeded\.$/);
  });

  it("reboots after confirmation and reports when the host is back", async () => {
    const command = await fx.admin.say(fx.roomId, "!reboot asuka");
    const prompt = await fx.admin.waitForReply(fx.roomId, command);
    await fx.admin.sendEvent(fx.roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: prompt.event_id, key: "👍🏽" } });
    const jobReply = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && /^job \d+ · reboot asuka/.test(String(e.content.body)));
    const body = await finalBody(jobReply.event_id, /succeeded|failed/, 40_000);
    expect(body).toMatch(/^job \d+ · reboot asuka · succeeded after \d+ s, exit code 0: asuka went down after \d+ s and is back up after \d+ s$/);
  });

  it("refuses a host whose key changed, says so in the room, and audits it", async () => {
    const command = await fx.admin.say(fx.roomId, "!reboot imposter");
    const prompt = await fx.admin.waitForReply(fx.roomId, command);
    await fx.admin.sendEvent(fx.roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: prompt.event_id, key: "✅" } });
    const jobReply = await fx.admin.waitFor(fx.roomId, (e) => e.sender === fx.botUserId && /^job \d+ · reboot imposter/.test(String(e.content.body)));
    const body = await finalBody(jobReply.event_id, /failed/);
    expect(body).toMatch(/host key of imposter changed: expected SHA256:[A-Za-z0-9+/]{43}, got SHA256:[A-Za-z0-9+/]{43}/);
    const db = new Database(fx.dbPath, { readonly: true });
    const row = db.prepare("SELECT outcome FROM audit WHERE event_id = ?").get(command) as { outcome: string };
    db.close();
    expect(row.outcome).toMatch(/^approved by @admin-jobs-\w+:localhost; job \d+ failed: .*host key of imposter changed: expected SHA256:/);
    expect(existsSync(join(dir, "asuka", "power-calls.log"))).toBe(true);
    expect(readFileSync(join(dir, "asuka", "power-calls.log"), "utf8")).toBe("reboot --no-block\n");
  });

  it("rejects addresses, metacharacters and unknown hosts before anything runs", async () => {
    for (const [text, expected] of [
      ["!wake 10.0.0.1", "expected a host name from !hosts (lower-case letters, digits and dashes). Usage: !wake <host>"],
      ["!wake nas;reboot", "expected a host name from !hosts (lower-case letters, digits and dashes). Usage: !wake <host>"],
      ["!shutdown $(id)", "expected a host name from !hosts (lower-case letters, digits and dashes). Usage: !shutdown <host>"],
      ["!wake misato", "unknown host misato: !hosts lists the hosts magi knows"],
      ["!wake kaji", "no MAC address is configured for kaji (hosts.kaji.mac), so magi can't wake it"],
      ["!log 99999", "there is no job 99999; !jobs lists them"],
    ]) {
      const reply = await fx.admin.waitForReply(fx.roomId, await fx.admin.say(fx.roomId, text!));
      expect(reply.content.body).toBe(expected);
    }
  });
});
