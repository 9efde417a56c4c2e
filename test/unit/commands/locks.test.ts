import { describe, expect, it } from "vitest";
import { prepareCommand } from "../../../commands/core/dispatch.ts";
import type { Level } from "../../../domain/levels.ts";
import { describeLock } from "../../../commands/core/lock-view.ts";
import type { CommandContext, Output } from "../../../commands/core/types.ts";
import { createLockStore } from "../../../storage/lock-store.ts";
import { makeContext } from "./make-context.ts";

const AT_1402 = Date.UTC(2026, 10, 23, 14, 2, 31);
const DAN = "@dan:example.org";
const KIM = "@kim:example.org";
const BOSS = "@boss:example.org";

// One shared database; each call speaks as someone else at the same clock.
function team() {
  const { ctx, db } = makeContext(3, { now: () => AT_1402 });
  const as = (userId: string, level: Level): CommandContext => ({ ...ctx, caller: { userId, level } });
  const say = async (userId: string, level: Level, body: string) => {
    const prepared = prepareCommand(body, as(userId, level), () => {});
    if (prepared.decision === "ignored") throw new Error(`ignored: ${body}`);
    const output: Output = prepared.decision === "allowed" ? (await prepared.run()).output : prepared.output;
    const shown = output.blocks.map((b) => (b.kind === "text" ? b.text : JSON.stringify(b))).join("\n");
    return { decision: prepared.decision, ok: output.ok, text: shown, blocks: output.blocks };
  };
  return { say, db };
}

describe("host locks", () => {
  it("locks a host with the rest of the words as the reason, and refuses a second lock naming holder, time and reason", async () => {
    const { say } = team();
    expect(await say(DAN, 3, "!lock misato kernel upgrade")).toMatchObject({ ok: true, text: "🔒 Locked misato: kernel upgrade. It stays locked until you or an admin run !unlock misato." });
    const refused = "misato is locked by @dan:example.org since 14:02 UTC: kernel upgrade. Only @dan:example.org or an admin can !unlock misato.";
    expect(await say(KIM, 3, '!lock misato "my turn"')).toMatchObject({ ok: false, text: refused });
    expect(await say(DAN, 3, "!lock misato again")).toMatchObject({ ok: false, text: refused });
  });

  it("lets only the holder or an admin unlock", async () => {
    const { say } = team();
    await say(DAN, 3, "!lock misato kernel upgrade");
    expect(await say(KIM, 3, "!unlock misato")).toMatchObject({ ok: false, text: "misato is locked by @dan:example.org since 14:02 UTC: kernel upgrade. Only @dan:example.org or an admin can !unlock misato." });
    expect(await say(BOSS, 4, "!unlock misato")).toMatchObject({ ok: true, text: "🔓 Unlocked misato (an admin released @dan:example.org's lock); it was locked by @dan:example.org since 14:02 UTC: kernel upgrade." });
    expect(await say(DAN, 3, "!unlock misato")).toMatchObject({ ok: false, text: "misato is not locked." });
    await say(KIM, 3, "!lock misato mine now");
    expect(await say(KIM, 3, "!unlock misato")).toMatchObject({ ok: true, text: "🔓 Unlocked misato; it was locked by @kim:example.org since 14:02 UTC: mine now." });
  });

  it("lists locks for level 1 and keeps them across a new store over the same database", async () => {
    const { say, db } = team();
    expect(await say(KIM, 1, "!locks")).toMatchObject({ ok: true, text: "No hosts are locked." });
    await say(KIM, 3, "!lock nas scrub running");
    await say(DAN, 3, "!lock misato kernel upgrade");
    const listed = await say(KIM, 1, "!locks");
    expect(listed.blocks).toEqual([{ kind: "table", columns: ["host", "locked by", "since (UTC)", "reason"], rows: [["misato", DAN, "2026-11-23 14:02", "kernel upgrade"], ["nas", KIM, "2026-11-23 14:02", "scrub running"]] }]);
    expect(createLockStore(db).find("nas")).toEqual({ host: "nas", holder: KIM, reason: "scrub running", since: AT_1402 });
  });

  it("needs level 3 to lock or unlock", async () => {
    const { say } = team();
    expect(await say(KIM, 2, "!lock misato x")).toMatchObject({ decision: "denied", text: "!lock needs level 3 (deployer); you have 2 (contributor)." });
    expect(await say(KIM, 2, "!unlock misato")).toMatchObject({ decision: "denied" });
    expect(await say(KIM, 0, "!locks")).toMatchObject({ decision: "denied" });
  });

  it("refuses bad host names, shell text, unknown hosts and missing or oversized reasons", async () => {
    const { say } = team();
    const badHost = "expected a host name from !hosts (lower-case letters, digits and dashes). Usage: !lock <host> <reason...>";
    for (const body of ["!lock 'misato;reboot' x", "!lock $(id) x", "!lock ../etc x", "!lock Misato x", "!lock -f x"]) {
      expect(await say(DAN, 3, body)).toMatchObject({ decision: "invalid", text: badHost });
    }
    expect(await say(DAN, 3, "!unlock 'misato && reboot'")).toMatchObject({ decision: "invalid", text: "expected a host name from !hosts (lower-case letters, digits and dashes). Usage: !unlock <host>" });
    expect(await say(DAN, 3, "!lock")).toMatchObject({ decision: "invalid", text: "expected a host name and a reason. Usage: !lock <host> <reason...>" });
    expect(await say(DAN, 3, "!lock misato")).toMatchObject({ decision: "invalid", text: "say why you are locking it: a reason is required. Usage: !lock <host> <reason...>" });
    expect(await say(DAN, 3, `!lock misato ${"x".repeat(201)}`)).toMatchObject({ decision: "invalid", text: "the reason is too long (at most 200 characters). Usage: !lock <host> <reason...>" });
    expect(await say(DAN, 3, "!lock misato a\u0007bell")).toMatchObject({ decision: "invalid", text: "the reason may not contain control characters. Usage: !lock <host> <reason...>" });
    expect(await say(DAN, 3, `!lock misato ${"x".repeat(200)}`)).toMatchObject({ ok: true });
    expect(await say(DAN, 3, "!lock ghost testing")).toMatchObject({ ok: false, text: "unknown host ghost: !hosts lists the hosts magi knows" });
    expect(await say(DAN, 3, "!unlock ghost")).toMatchObject({ ok: false, text: "unknown host ghost: !hosts lists the hosts magi knows" });
  });

  it("describes an older lock with its date", () => {
    const lock = { host: "misato", holder: DAN, reason: "kernel upgrade", since: AT_1402 };
    expect(describeLock(lock)).toBe("misato is locked by @dan:example.org since 14:02 UTC: kernel upgrade");
    expect(describeLock(lock, AT_1402 + 3 * 86_400_000)).toBe("misato is locked by @dan:example.org since 2026-11-23 14:02 UTC: kernel upgrade");
  });
});
