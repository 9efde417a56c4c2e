import { describe, expect, it } from "vitest";
import { readSilenceArgs } from "../../../commands/core/silence-args.ts";
import { prepareCommand } from "../../../commands/core/dispatch.ts";
import { LEVELS } from "../../../domain/levels.ts";
import { makeContext } from "./make-context.ts";

describe("!silence's arguments", () => {
  it("reads matchers, then the duration, then the reason", () => {
    expect(readSilenceArgs(["alertname=DiskFull", "instance=nas", "2h", "disk", "being", "replaced"])).toMatchObject({
      matchers: [{ name: "alertname", value: "DiskFull" }, { name: "instance", value: "nas" }], durationMs: 7_200_000, duration: "2h", reason: "disk being replaced",
    });
    expect(readSilenceArgs(["30m", "x=y", "is", "fine", "here"])).toMatchObject({ matchers: [], durationMs: 1_800_000, reason: "x=y is fine here" });
  });

  it("says what is missing", () => {
    expect(readSilenceArgs(["alertname=DiskFull"])).toBe("say for how long: a duration like 2h comes after the matchers");
    expect(readSilenceArgs(["2h"])).toBe("say why: a reason is required after the duration (Alertmanager shows it with the silence)");
    expect(readSilenceArgs(["2h", "x".repeat(201)])).toBe("the reason is too long (at most 200 characters)");
  });

  it("answers a bad silence with the problem and the usage, for a deployer, without running it", async () => {
    const { ctx } = makeContext(LEVELS.deployer);
    const prepared = prepareCommand("!silence alertname=DiskFull 90d r", ctx, () => {});
    expect(prepared).toMatchObject({ decision: "invalid", output: { ok: false, blocks: [{ kind: "text", text: "90d is too long: at most 30d. Usage: !silence [matchers...] <duration> <reason...>" }] } });
  });

  it("is not for level 2; !silences is for level 1", () => {
    expect(prepareCommand("!silence 2h r", makeContext(LEVELS.contributor).ctx, () => {}).decision).toBe("denied");
    expect(prepareCommand("!silences", makeContext(LEVELS.communication).ctx, () => {}).decision).toBe("allowed");
  });
});
