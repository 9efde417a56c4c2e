// Running sops: a missing binary is named before anyone approves, and a failing run says which file.
import { describe, expect, it } from "vitest";
import { checkSops, updateKeys } from "../../../../runners/enroll/run-sops.ts";

describe("run-sops", () => {
  it("says sops is missing, naming the configured path", async () => {
    expect(await checkSops("/nonexistent/sops")).toBe("sops is not installed (enroll.sops is /nonexistent/sops)");
    expect(await updateKeys("/tmp", ["secrets/a.yaml"], { bin: "/nonexistent/sops", identityFile: "/dev/null" }, () => {})).toBe("sops is not installed (enroll.sops is /nonexistent/sops)");
  });
});
