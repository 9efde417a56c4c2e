// When a job ends, its requester hears about it: a reply mentioning them for every failure, silence for a quick success.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../wait-until.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser, TimelineEvent } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, latestBody } from "./harness/test-hosts.ts";
import { startUdpListener, type UdpListener } from "./harness/wake-helpers.ts";

const FAKES = fileURLToPath(new URL("../fakes/power", import.meta.url));
const MAC = "52:54:00:12:34:57";

describe("job end notices", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-notify-"));
  let fx: MagiFixture;
  let bot: BotProcess;
  let nas: TestSshd;
  let kaji: TestSshd;
  let udp: UdpListener;
  let dan: TestUser;
  let kim: TestUser;

  const isNotice = (command: string) => (e: TimelineEvent) =>
    e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command && e.content["m.mentions"]?.user_ids !== undefined;

  beforeAll(async () => {
    udp = await startUdpListener("127.0.0.1");
    // Belt and braces for the refused shutdown: were the key ever accepted, nas's sessions find the fake power tools first.
    const fakes = { pathPrefix: FAKES, env: { MAGI_FAKE_HOST_DIR: join(dir, "nas") } };
    [nas, kaji] = await Promise.all([startSshd({ dir, name: "nas", ...fakes }), startSshd({ dir, name: "kaji" })]);
    fx = await createMagiFixture("notify");
    dan = await fx.newUser("dan");
    fx.access.users[dan.userId] = "deployer";
    const wake = { broadcast: "127.0.0.1", port: udp.port, timeout_seconds: 5 };
    fx.config.hosts = {
      nas: hostConfigFor(nas, { mac: MAC, wake }),
      // nas's address and port, but kaji's key: the wake refuses at once, a quick failure.
      imposter: hostConfigFor({ ...nas, hostKeyLine: kaji.hostKeyLine }, { mac: MAC, wake }),
    };
    // A shutdown of imposter another admin approves: the approver's doing, but the requester's job (refused at the host key, so nothing goes down).
    kim = await fx.newUser("kim");
    fx.access.users[kim.userId] = "admin";
    fx.config.approvals = [{ command: "shutdown", hosts: "imposter", approvals: 1, min_level: "admin", self_approval: false }];
    bot = await fx.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await nas?.stop();
    await kaji?.stop();
    udp?.close();
  });

  it("mentions the requester in reply to the command, in its thread, when their job fails, however quickly", async () => {
    const root = await dan.say(fx.roomId, "imposter looks odd");
    const command = await dan.say(fx.roomId, "!wake imposter", { "m.relates_to": { rel_type: "m.thread", event_id: root, is_falling_back: true, "m.in_reply_to": { event_id: root } } });
    const notice = await dan.waitFor(fx.roomId, isNotice(command), 20_000);
    const name = dan.userId.slice(1).split(":")[0]!;
    expect(notice.content["m.mentions"]).toEqual({ user_ids: [dan.userId] });
    expect(notice.content["m.relates_to"]).toEqual({ rel_type: "m.thread", event_id: root, is_falling_back: false, "m.in_reply_to": { event_id: command } });
    expect(notice.content.body).toMatch(new RegExp(`^${name}: wake imposter failed after \\d+ s: .+ — !log \\d+$`));
    expect(notice.content.formatted_body).toMatch(new RegExp(`^<a href="https://matrix.to/#/${dan.userId}">${name}</a>: wake imposter failed after \\d+ s: .+ — !log \\d+$`));
    expect(notice.content.body).toContain("host key");
  });

  it("tells the requester, not the approver, when an approved job fails", async () => {
    const command = await kim.say(fx.roomId, "!shutdown imposter");
    const prompt = await kim.waitForReply(fx.roomId, command);
    expect(prompt.content.body).toContain("react 👍");
    await fx.admin.sendEvent(fx.roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: prompt.event_id, key: "👍" } });
    const notice = await kim.waitFor(fx.roomId, isNotice(command), 20_000);
    expect(notice.content["m.mentions"]).toEqual({ user_ids: [kim.userId] });
    expect(notice.content.body).toMatch(new RegExp(`^${kim.userId.slice(1).split(":")[0]}: shutdown imposter failed after \\d+ s: .*host key`));
  });

  it("stays quiet when a job succeeds quickly", async () => {
    const command = await dan.say(fx.roomId, "!wake nas");
    const reply = await dan.waitForReply(fx.roomId, command);
    await waitUntil("the wake to succeed", async () => /succeeded/.test(latestBody(await dan.timeline(fx.roomId), reply.event_id) ?? ""), { timeoutMs: 15_000, intervalMs: 200 });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await dan.repliesTo(fx.roomId, command)).map((e) => e.event_id)).toEqual([reply.event_id]);
  });
});
