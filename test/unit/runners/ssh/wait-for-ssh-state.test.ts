import { describe, expect, it } from "vitest";
import type { ConnectOutcome, SshTarget } from "../../../../runners/ssh/index.ts";
import { waitForSshState, type WaitClock } from "../../../../runners/ssh/index.ts";

const target: SshTarget = { name: "nas", address: "10.0.0.5", port: 22, user: "root", identityFile: "/k", hostKey: "ssh-ed25519 AAAA" };
const down: ConnectOutcome = { ok: false, reason: "connect", message: "cannot connect to nas (ECONNREFUSED)" } as ConnectOutcome;
const up = { ok: true, connection: {} } as unknown as ConnectOutcome;
const mismatch = { ok: false, reason: "host-key-mismatch", message: "host key of nas changed: expected SHA256:a, got SHA256:b" } as ConnectOutcome;

// A clock that moves only when the wait sleeps or a probe takes time, and a probe that answers from a script.
function fakeFleet(answers: (t: number) => ConnectOutcome, probeMs: number) {
  let t = 0;
  const probes: { at: number; timeoutMs: number }[] = [];
  const clock: WaitClock = { now: () => t, sleep: async (ms) => void (t += Math.max(0, ms)) };
  const probe = async (_target: SshTarget, timeoutMs: number) => {
    probes.push({ at: t, timeoutMs });
    const answer = answers(t);
    t += answer.ok ? 10 : Math.min(probeMs, timeoutMs);
    return answer;
  };
  return { clock, probe, probes, now: () => t };
}

const run = (fleet: ReturnType<typeof fakeFleet>, want: "up" | "down", deadline: number, logs: string[] = [], signal = new AbortController().signal) =>
  waitForSshState(target, want, { deadline, signal, pollIntervalMs: 1_000, since: 0, clock: fleet.clock, probe: fleet.probe, log: (l) => logs.push(l) });

describe("waitForSshState on a fake clock", () => {
  it("counts the seconds from since until the host answers, probing once per interval", async () => {
    const fleet = fakeFleet((t) => (t >= 12_000 ? up : down), 50);
    expect(await run(fleet, "up", 60_000)).toEqual({ state: "reached", seconds: 12 });
    expect(fleet.probes.map((p) => p.at)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 11000, 12000]);
  });

  it("logs one progress line per 5 s, naming the attempt and the last error once", async () => {
    const logs: string[] = [];
    const fleet = fakeFleet(() => down, 50);
    expect(await run(fleet, "up", 12_000, logs)).toEqual({ state: "timeout", lastError: "cannot connect to nas (ECONNREFUSED)" });
    expect(logs).toEqual([
      "no ssh yet after 0 s (attempt 1: cannot connect to nas (ECONNREFUSED))",
      "no ssh yet after 5 s (attempt 6: cannot connect to nas (ECONNREFUSED))",
      "no ssh yet after 10 s (attempt 11: cannot connect to nas (ECONNREFUSED))",
    ]);
  });

  it("never probes past the deadline: the last probe gets only the time that is left", async () => {
    const fleet = fakeFleet(() => down, 3_000);
    const outcome = await run(fleet, "up", 7_500);
    expect(outcome.state).toBe("timeout");
    expect(fleet.now()).toBe(7_500);
    expect(fleet.probes).toEqual([{ at: 0, timeoutMs: 3000 }, { at: 3000, timeoutMs: 3000 }, { at: 6000, timeoutMs: 1500 }]);
  });

  it("waits for a host to stop answering, and says it still answers when it never does", async () => {
    const gone = fakeFleet((t) => (t >= 4_000 ? down : up), 50);
    expect(await run(gone, "down", 60_000)).toEqual({ state: "reached", seconds: 4 });
    const logs: string[] = [];
    const stubborn = fakeFleet(() => up, 50);
    expect(await run(stubborn, "down", 6_000, logs)).toEqual({ state: "timeout", lastError: "it kept answering" });
    expect(logs).toEqual(["still answers on ssh after 0 s", "still answers on ssh after 5 s"]);
  });

  it("stops at a changed host key, counting it neither up nor down", async () => {
    for (const want of ["up", "down"] as const) {
      const fleet = fakeFleet((t) => (t >= 2_000 ? mismatch : want === "up" ? down : up), 50);
      expect(await run(fleet, want, 60_000)).toEqual({ state: "refused", message: "host key of nas changed: expected SHA256:a, got SHA256:b" });
      expect(fleet.probes).toHaveLength(3);
    }
  });

  it("is cancelled by the signal between probes", async () => {
    const controller = new AbortController();
    const fleet = fakeFleet((t) => (t >= 3_000 ? (controller.abort(), down) : down), 50);
    expect(await run(fleet, "up", 60_000, [], controller.signal)).toEqual({ state: "cancelled" });
    expect(fleet.probes).toHaveLength(4);
  });
});
