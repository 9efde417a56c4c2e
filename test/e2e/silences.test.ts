// Silences from chat against a real Alertmanager and a real Synapse: !silence in reply to an alert message creates the
// silence in Alertmanager and the message shows it; !unsilence expires it and the message drops it; bad input is
// answered and nothing reaches Alertmanager. Run alone: npx vitest run --project e2e test/e2e/silences.test.ts
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../bot/synapse/start-synapse.ts";
import { waitUntil } from "../wait-until.ts";
import { createAlertMessages } from "./harness/alert-messages.ts";
import { checkAlertmanager, startAlertmanager, webhookReceiver, type RunningAlertmanager } from "./harness/alertmanager.ts";
import type { BotProcess } from "./harness/bot-process.ts";
import { createMagiFixture, type MagiFixture } from "./harness/magi-fixture.ts";
import type { TimelineEvent } from "./harness/matrix-user.ts";

const present = checkAlertmanager();
const ROUTE_TOKEN = "am-silence-token-81c0d2";

interface AmSilence {
  id: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  createdBy: string;
  comment: string;
  endsAt: string;
  status: { state: string };
}

describe.skipIf(!present)("silences from chat, through a real Alertmanager", () => {
  let fx: MagiFixture;
  let bot: BotProcess;
  let am: RunningAlertmanager;

  beforeAll(async () => {
    fx = await createMagiFixture("silences");
    const magiPort = await findFreePort();
    const routeToken = join(fx.dir, "route-token");
    writeFileSync(routeToken, `${ROUTE_TOKEN}\n`, { mode: 0o600 });
    am = await startAlertmanager(fx.dir, {
      route: { receiver: "magi", group_by: ["alertname"], group_wait: "1s", group_interval: "2s", repeat_interval: "1h" },
      receivers: [webhookReceiver("magi", `http://127.0.0.1:${magiPort}/alertmanager/ops`, routeToken)],
    });
    fx.config.http = { listen: `127.0.0.1:${magiPort}`, credentials_file: routeToken };
    fx.config.alerts = { routes: { ops: { room: fx.roomId, credentials_file: routeToken, alertmanager_url: am.url } } };
    bot = await fx.start();
  }, 180_000);

  afterAll(async () => {
    await am?.stop();
    await bot?.stop();
  });

  const room = () => createAlertMessages(fx.admin, fx.botUserId, fx.roomId);
  const silencesInAm = async (): Promise<AmSilence[]> => (await (await fetch(`${am.url}/api/v2/silences`)).json()) as AmSilence[];
  // The message as the room shows it now: the newest edit's content, else the post's.
  const shownBody = async (post: TimelineEvent) => {
    const edits = await room().editsOf(post.event_id);
    return String((edits.at(-1)?.content["m.new_content"] ?? post.content).body);
  };
  const replyTo = (eventId: string, body: string) => fx.admin.say(fx.roomId, body, { "m.relates_to": { "m.in_reply_to": { event_id: eventId } } });
  const answer = async (sent: Promise<string>) => String((await fx.admin.waitForReply(fx.roomId, await sent, 20_000)).content.body);

  it("silences the alert a reply answers, names who did it, and shows it on the alert message; !unsilence ends it", async () => {
    await am.push({ name: "DiskFull", startsAt: new Date(Date.now() - 60_000) });
    const [post] = await room().waitForPosts("DiskFull", 1);
    // The message links to the group in Alertmanager's UI, from the configured URL.
    expect(post!.content.body).toContain(`In Alertmanager: ${am.url}/#/alerts?silenced=true&inhibited=true&filter=${encodeURIComponent('{alertname="DiskFull"}')}`);

    const reply = await answer(replyTo(post!.event_id, "!silence 1h disk being replaced"));
    expect(reply).toMatch(/^🔕 Silenced alertname="DiskFull", instance="nas", severity="warning" until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(1h\): disk being replaced\nSilence ([0-9a-f-]{36}); !unsilence \1 ends it early\.$/);
    const id = /Silence ([0-9a-f-]{36});/.exec(reply)![1]!;

    const [silence] = (await silencesInAm()).filter((s) => s.id === id);
    expect(silence).toMatchObject({ createdBy: fx.admin.userId, comment: "disk being replaced", status: { state: "active" } });
    expect(silence!.matchers.map((m) => `${m.name}=${m.value}`).sort()).toEqual(["alertname=DiskFull", "instance=nas", "severity=warning"]);
    expect(silence!.matchers.every((m) => m.isEqual && !m.isRegex)).toBe(true);
    const hours = (Date.parse(silence!.endsAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(0.95);
    expect(hours).toBeLessThanOrEqual(1);

    await waitUntil("the alert message to show the silence", async () => (await shownBody(post!)).includes(`🔕 Silenced by ${fx.admin.userId} until `), { timeoutMs: 20_000, intervalMs: 200 });
    expect(await shownBody(post!)).toMatch(new RegExp(`\\n🔕 Silenced by ${fx.admin.userId.replace(/[.]/g, "\\.")} until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(disk being replaced\\); silence ${id}\\n`));

    // The mark is stored: after a restart, a change to the group re-renders its message with the silence still shown.
    await bot.stop();
    bot = await fx.start();
    await am.push({ name: "DiskFull", startsAt: new Date(Date.now() - 30_000), labels: { instance: "nas2" } });
    await waitUntil("the alert message to list nas2", async () => (await shownBody(post!)).includes("DiskFull on nas2"), { timeoutMs: 30_000, intervalMs: 200 });
    expect(await shownBody(post!)).toContain(`🔕 Silenced by ${fx.admin.userId} until `);

    const listed = await answer(fx.admin.say(fx.roomId, "!silences"));
    expect(listed).toMatch(/^1 active silence:\n/);
    expect(listed).toContain(id);

    const ended = await answer(fx.admin.say(fx.roomId, `!unsilence ${id}`));
    expect(ended).toBe(`🔔 Silence ${id} expired. DiskFull alerts again.`);
    expect((await silencesInAm()).find((s) => s.id === id)?.status.state).toBe("expired");
    await waitUntil("the alert message to drop the silence", async () => !(await shownBody(post!)).includes("🔕"), { timeoutMs: 20_000, intervalMs: 200 });
    expect(await shownBody(post!)).toMatch(/^🔥 FIRING: DiskFull — 2 of 2 alerts firing\n/);
  });

  it("silences by explicit matchers on the one configured Alertmanager, and marks the open group they cover", async () => {
    await am.push({ name: "BackupMissing", startsAt: new Date(Date.now() - 60_000), labels: { instance: "nas1" } });
    const [post] = await room().waitForPosts("BackupMissing", 1);
    const reply = await answer(fx.admin.say(fx.roomId, "!silence alertname=BackupMissing instance=~nas.* 2h backups moved"));
    expect(reply).toMatch(/^🔕 Silenced alertname="BackupMissing", instance=~"nas\.\*" until .* UTC \(2h\): backups moved\n/);
    const id = /Silence ([0-9a-f-]{36});/.exec(reply)![1]!;
    const silence = (await silencesInAm()).find((s) => s.id === id)!;
    expect(silence.matchers).toEqual([
      { name: "alertname", value: "BackupMissing", isRegex: false, isEqual: true },
      { name: "instance", value: "nas.*", isRegex: true, isEqual: true },
    ]);
    await waitUntil("the BackupMissing message to show the silence", async () => (await shownBody(post!)).includes(`(backups moved); silence ${id}`), { timeoutMs: 20_000, intervalMs: 200 });
    expect(await answer(fx.admin.say(fx.roomId, `!unsilence ${id}`))).toBe(`🔔 Silence ${id} expired. BackupMissing alerts again.`);
  });

  it("answers bad matchers, durations and a silence with nothing to cover, and sends nothing to Alertmanager", async () => {
    const before = (await silencesInAm()).length;
    const cases: [string, string][] = [
      ["!silence 2h disk", "Reply to an alert message with !silence 2h <reason> to silence that alert, or name what to silence: !silence alertname=DiskFull instance=nas 2h <reason>."],
      ["!silence 1-bad=x 2h r", '"1-bad" is not a label name (letters, digits and _, not starting with a digit). Usage: !silence [matchers...] <duration> <reason...>'],
      ["!silence job=~(unclosed 2h r", "the regex in job=~(unclosed does not compile: Invalid regular expression: /^(?:(unclosed)$/u: Unterminated group. Usage: !silence [matchers...] <duration> <reason...>"],
      ["!silence alertname=X 45d r", "45d is too long: at most 30d. Usage: !silence [matchers...] <duration> <reason...>"],
      ["!silence alertname=X soon r", 'expected a duration like 30m, 2h, 1d or 1h30m, got "soon". Usage: !silence [matchers...] <duration> <reason...>'],
      ["!silence alertname=X 2h", "say why: a reason is required after the duration (Alertmanager shows it with the silence). Usage: !silence [matchers...] <duration> <reason...>"],
      ["!silence alertname=~.* 2h r", "every one of these matchers also matches alerts without that label, so the silence would cover every alert; add one like alertname=DiskFull. Usage: !silence [matchers...] <duration> <reason...>"],
      ["!unsilence nope", "expected a silence ID like 6f1c2d3e-0a1b-4c5d-8e9f-001122334455 or magi-0a1b2c3d4e5f (as !silences shows it). Usage: !unsilence <silence id>"],
    ];
    for (const [command, expected] of cases) expect(await answer(fx.admin.say(fx.roomId, command)), command).toBe(expected);
    expect(await silencesInAm()).toHaveLength(before);
  });

  it("shows Alertmanager's own refusal, and says when it is unreachable", async () => {
    expect(await answer(fx.admin.say(fx.roomId, "!unsilence 00000000-0000-4000-8000-000000000000"))).toBe("No Alertmanager knows silence 00000000-0000-4000-8000-000000000000.");
    // A lookahead compiles in JavaScript but not in Alertmanager's RE2: its 400 and its words reach the room.
    const refused = await answer(fx.admin.say(fx.roomId, "!silence alertname=~(?=D)DiskFull 2h r"));
    expect(refused).toMatch(/^Alertmanager refused to create the silence: 400 Bad Request: .*(invalid|error parsing regexp).*/i);
    await am.stop();
    const reply = await answer(fx.admin.say(fx.roomId, "!silence alertname=X 2h r"));
    expect(reply).toMatch(new RegExp(`^Could not create the silence: Alertmanager at ${am.url.replace(/[.]/g, "\\.")} is unreachable \\(.*ECONNREFUSED.*\\)\\.$`));
  });
});
