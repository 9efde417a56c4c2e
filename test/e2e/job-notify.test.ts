// When a job ends, its requester hears about it: a reply mentioning them for every failure, silence for a quick success.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TestUser, TimelineEvent } from "./harness/matrix-user.ts";
import { startSshd, type TestSshd } from "./harness/sshd.ts";
import { hostConfigFor, latestBody } from "./harness/test-hosts.ts";
import { startUdpListener, type UdpListener } from "./harness/wake-helpers.ts";

const MAC = "52:54:00:12:34:57";

describe("job end notices", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-notify-"));
  let fx: MagiFixture;
  let bot: BotProcess;
  let nas: TestSshd;
  let kaji: TestSshd;
  let udp: UdpListener;
  let dan: TestUser;

  const isNotice = (command: string) => (e: TimelineEvent) =>
    e.sender === fx.botUserId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === command && e.content["m.mentions"]?.user_ids !== undefined;

  beforeAll(async () => {
    udp = await startUdpListener("127.0.0.1");
    [nas, kaji] = await Promise.all([startSshd({ dir, name: "nas" }), startSshd({ dir, name: "kaji" })]);
    fx = await createMagiFixture("notify");
    dan = await fx.newUser("dan");
    fx.access.users[dan.userId] = "deployer";
    const wake = { broadcast: "127.0.0.1", port: udp.port, timeout_seconds: 5 };
    fx.config.hosts = {
      nas: hostConfigFor(nas, { mac: MAC, wake }),
      // nas's address and port, but kaji's key: the wake refuses at once, a quick failure.
      imposter: hostConfigFor({ ...nas, hostKeyLine: kaji.hostKeyLine }, { mac: MAC, wake }),
    };
    bot = await fx.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await nas?.stop();
    await kaji?.stop();
    udp?.close();
  });

  it("mentions the requester in reply to the command when their job fails, however quickly", async () => {
    const command = await dan.say(fx.roomId, "!wake imposter");
    const notice = await dan.waitFor(fx.roomId, isNotice(command), 20_000);
    const name = dan.userId.slice(1).split(":")[0]!;
    expect(notice.content["m.mentions"]).toEqual({ user_ids: [dan.userId] });
    expect(notice.content.body).toMatch(new RegExp(`^${name}: wake imposter failed after \\d+ s: .+ — !log \\d+$`));
    expect(notice.content.formatted_body).toMatch(new RegExp(`^<a href="https://matrix.to/#/${dan.userId}">${name}</a>: wake imposter failed after \\d+ s: .+ — !log \\d+$`));
    expect(notice.content.body).toContain("host key");
  });

  it("stays quiet when a job succeeds quickly", async () => {
    const command = await dan.say(fx.roomId, "!wake nas");
    const reply = await dan.waitForReply(fx.roomId, command);
    const deadline = Date.now() + 15_000;
    while (!/succeeded/.test(latestBody(await dan.timeline(fx.roomId), reply.event_id) ?? "")) {
      if (Date.now() > deadline) throw new Error("the wake never succeeded");
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect((await dan.repliesTo(fx.roomId, command)).map((e) => e.event_id)).toEqual([reply.event_id]);
  });
});
