// The SSH wrapper run by a real shell as sshd would run it: a detached command names itself on its
// first stderr line (which the runner reads and strips), and leaves its exit status behind only
// when the channel is gone by the time it ends.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parseProcStat } from "../../../../runners/proc/parse-proc-stat.ts";
import { readBootId } from "../../../../runners/proc/process-identity.ts";
import { buildWrappedCommand, readStartLine, START_MARK, stripStartLine } from "../../../../runners/ssh/wrapper.ts";

const BOOT = "4f6b3c2a-1d2e-4f5a-8b9c-0d1e2f3a4b5c";
const STAT = "4242 (sh) S 4200 4200 4200 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 2232320 200 18446744073709551615";
// Prints its own pid and stat line (which the wrapper's start line must match), then fails with 3.
const SELF = ["sh", "-c", "echo $$; cat /proc/$$/stat; echo oops >&2; exit 3"];

// Runs a wrapped line in bash; open keeps stdin open until the command ended, as a live channel does.
async function runWrapped(argv: string[], opts: { onDisconnect?: "kill" | "detach"; open?: boolean } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), "magi-wrapper-"));
  const line = buildWrappedCommand(argv, opts.onDisconnect ? { onDisconnect: opts.onDisconnect } : {});
  const child = execa("bash", ["-c", line], { reject: false, env: { TMPDIR: tmp }, ...(opts.open ? {} : { input: "" }) });
  const run = await child;
  return { run, tmp, dirs: readdirSync(tmp) };
}

describe("readStartLine", () => {
  it("reads boot id, pid, start time and status directory", () => {
    expect(readStartLine(`${START_MARK}\t${BOOT}\t/tmp/magi-Ab3dE5gH9k\t${STAT}`)).toEqual({ bootId: BOOT, pid: 4242, pgid: 4242, startTicks: 987654, statusDir: "/tmp/magi-Ab3dE5gH9k" });
  });

  it("keeps the process but no directory that is not mktemp's (a hostile host could name any path)", () => {
    for (const dir of ["-", "/", "/etc", "/tmp/magi-../../etc", "tmp/magi-Ab3dE5gH9k", "/tmp/magi-Ab3dE5gH9k; rm -rf /", "/tmp/../magi-Ab3dE5gH9k"]) {
      expect(readStartLine(`${START_MARK}\t${BOOT}\t${dir}\t${STAT}`)).toMatchObject({ pid: 4242, statusDir: null });
    }
  });

  it("refuses other lines and malformed start lines", () => {
    expect(readStartLine(`building the system configuration...`)).toBeUndefined();
    expect(readStartLine(`${START_MARK}\t\t-\t`)).toBeUndefined();
    expect(readStartLine(`${START_MARK}\tnot-a-boot-id\t-\t${STAT}`)).toBeUndefined();
    expect(readStartLine(`${START_MARK}\t${BOOT}\t-\tgarbage`)).toBeUndefined();
    expect(readStartLine(`x${START_MARK}\t${BOOT}\t-\t${STAT}`)).toBeUndefined();
  });

  it("strips only a leading start line from stderr text", () => {
    expect(stripStartLine(`${START_MARK}\t${BOOT}\t-\t${STAT}\nerror: boom\n`)).toBe("error: boom\n");
    expect(stripStartLine(`error: boom\n${START_MARK}\tx\n`)).toBe(`error: boom\n${START_MARK}\tx\n`);
  });
});

describe("the wrapper in a real shell", () => {
  it("names the very process that runs the command, before any of its output", async () => {
    const { run } = await runWrapped(SELF, { open: true });
    expect(run.exitCode).toBe(3);
    const [first, ...rest] = run.stderr.split("\n");
    expect(rest).toEqual(["oops"]);
    const started = readStartLine(first!)!;
    const [pid, stat] = run.stdout.split("\n");
    expect(started).toMatchObject({ bootId: readBootId(), pid: Number(pid), pgid: Number(pid), startTicks: parseProcStat(stat!)!.startTicks });
    expect(started.statusDir).toMatch(/\/magi-[A-Za-z0-9]{10}$/);
  });

  it("removes its status directory when the channel is still there at the end (magi got the status itself)", async () => {
    const { run, dirs } = await runWrapped(SELF, { open: true });
    expect(run.exitCode).toBe(3);
    expect(dirs).toEqual([]);
  });

  it("leaves the exit status in the directory it named when the channel was gone before the end", async () => {
    const { run, tmp } = await runWrapped(["sh", "-c", "sleep 0.3; exit 4"]);
    const started = readStartLine(run.stderr.split("\n")[0]!)!;
    expect(started.statusDir!.startsWith(`${tmp}/magi-`)).toBe(true);
    expect(readFileSync(join(started.statusDir!, "status"), "utf8")).toBe("4\n");
  });

  it("lets a detached command keep writing after its pipes broke (SIGPIPE ignored)", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "magi-wrapper-pipe-"));
    const done = join(tmp, "done");
    // The reader (head) goes away after one line; the command writes again, then records that it lived on.
    const line = buildWrappedCommand(["sh", "-c", `echo one; sleep 0.3; echo two; echo three >&2; touch ${done}`]);
    await execa("bash", ["-c", `(${line}) 2>&1 | head -n 1`], { reject: false, input: "", env: { TMPDIR: tmp } });
    for (let i = 0; i < 30 && !existsSync(done); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(done)).toBe(true);
  });

  it("prints no start line and keeps no directory for a command that dies with its channel", async () => {
    const { run, dirs } = await runWrapped(["sh", "-c", "echo oops >&2; exit 2"], { onDisconnect: "kill", open: true });
    expect({ exitCode: run.exitCode, stderr: run.stderr, dirs }).toEqual({ exitCode: 2, stderr: "oops", dirs: [] });
  });
});
