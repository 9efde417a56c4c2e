import { describe, expect, it } from "vitest";
import { waitUntil } from "../../wait-until.ts";

describe("waitUntil", () => {
  it("returns the first truthy result", async () => {
    let calls = 0;
    expect(await waitUntil("the third call", () => (++calls >= 3 ? `call ${calls}` : undefined), { intervalMs: 1 })).toBe("call 3");
  });

  it("fails naming what it waited for and what it last saw", async () => {
    await expect(waitUntil("the host to answer", () => 0, { timeoutMs: 30, intervalMs: 5, describe: (n) => `exit ${n}` })).rejects.toThrow(
      "timed out after 30 ms waiting for the host to answer; last saw exit 0",
    );
  });
});
