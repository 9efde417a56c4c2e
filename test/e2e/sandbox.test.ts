// `npm start` with no config: the sandbox brings up Synapse, two demo users, a room, a fleet of
// simulated NixOS hosts and magi, and says how to talk to it; its demos run end to end from chat
// without anything mutating reaching this machine.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { TestUser } from "./harness/matrix-user.ts";
import { latestBody } from "./harness/test-hosts.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const BOOT_ID = "/proc/sys/kernel/random/boot_id";

function startSandbox(dir: string): { child: ChildProcess; ready: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["bot/bin.mjs", "run"], { cwd: REPO, env: { ...process.env, MAGI_SANDBOX_DIR: dir, MAGI_CONFIG: "" }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("[sandbox]   stop:")) resolve(stderr);
    });
    void exited.then(() => reject(new Error(`sandbox exited early:\n${stderr}`)));
  });
  return { child, ready, exited };
}

describe("sandbox", () => {
  const dir = mkdtempSync(join(tmpdir(), "magi-sandbox-"));
  const bootId = readFileSync(BOOT_ID, "utf8");
  let running: ReturnType<typeof startSandbox> | undefined;
  let state: any;
  let demo: TestUser;
  let ritsuko: TestUser;

  afterAll(async () => {
    running?.child.kill("SIGINT");
    await running?.exited;
  });

  const calls = (host: string) => readFileSync(join(dir, "hosts", host, "calls.log"), "utf8");
  const react = (user: TestUser, eventId: string, key: string) => user.sendEvent(state.roomId, "m.reaction", { "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key } });
  // The job message magi posts in reply to a command, once its final edit matches pattern.
  async function jobOutcome(commandId: string, job: RegExp, pattern = /succeeded|failed/, timeoutMs = 30_000): Promise<string> {
    const message = await demo.waitFor(state.roomId, (e) => e.sender === state.bot.userId && e.content["m.relates_to"]?.["m.in_reply_to"]?.event_id === commandId && job.test(String(e.content.body)), timeoutMs);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const body = latestBody(await demo.timeline(state.roomId, 300), message.event_id) ?? "";
      if (pattern.test(body)) return body;
      if (Date.now() > deadline) throw new Error(`job message never matched ${pattern}; last: ${body}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("starts everything with no config, prints how to talk to it, and magi answers the demo admin", async () => {
    running = startSandbox(dir);
    const banner = await running.ready;
    expect(banner).toContain("talk to magi:   npm run chat");
    expect(banner).toContain("npm run chat -- --as ritsuko");
    expect(banner).toContain("!deploy misato      then as ritsuko: /react N 👍");
    expect(banner).not.toContain("installs Synapse");
    expect(banner).toMatch(/demo host: sshd on 127\.0\.0\.1:\d+, host key pinned/);
    state = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    demo = new TestUser(state.homeserverUrl, state.demo.userId, state.demo.accessToken);
    ritsuko = new TestUser(state.homeserverUrl, state.ritsuko.userId, state.ritsuko.accessToken);
    const who = await demo.waitForReply(state.roomId, await demo.say(state.roomId, "!whoami"));
    expect(who.content.body).toBe("You are @demo:localhost, level 4 (admin) in this room.");
    const hosts = await demo.waitForReply(state.roomId, await demo.say(state.roomId, "!hosts"));
    expect(hosts.content.body).toMatch(/demo\s+127\.0\.0\.1\s+@sandbox/);
    expect(hosts.content.body).toMatch(/misato\s+127\.0\.0\.1\s+@sandbox @k3s/);
    // The demo host answers over a pinned SSH key with simulated NixOS facts and this machine's real uptime.
    const status = await demo.waitForReply(state.roomId, await demo.say(state.roomId, "!status demo"));
    expect(status.content.body).toMatch(/^demo: \w+/);
    expect(status.content.body).toMatch(/NixOS: 25\.05\.20250601\.[0-9a-f]{7}/);
    expect(status.content.body).toMatch(/uptime: \d/);
  });

  it("takes the sample alert with the curl command it printed, and resolves the message in place", async () => {
    const banner = await running!.ready;
    const firing = /\[sandbox\]   alerts in:      (curl .*)/.exec(banner)?.[1];
    expect(firing).toBeDefined();
    const health = /\[sandbox\]   health:         (curl .*)/.exec(banner)?.[1];
    expect((await execa("sh", ["-c", `${health} -sS`])).stdout).toBe('{"status":"ok"}');
    expect((await execa("sh", ["-c", `${firing} -sS`])).stdout).toContain('"status":"stored"');
    const posted = await demo.waitFor(state.roomId, (e) => e.sender === state.bot.userId && /DiskFull/.test(String(e.content.body)) && !e.content["m.relates_to"], 20_000);
    expect(posted.content.body).toMatch(/DiskFull.*nas.*tank is 93% full/s);
    const resolved = firing!.replace("demo-alert-firing.json", "demo-alert-resolved.json");
    expect((await execa("sh", ["-c", `${resolved} -sS`])).stdout).toContain('"status":"stored"');
    await demo.waitFor(state.roomId, (e) => e.content["m.relates_to"]?.rel_type === "m.replace" && e.content["m.relates_to"]?.event_id === posted.event_id && /resolved/i.test(String(e.content["m.new_content"]?.body)), 20_000);
    // A wrong secret is refused and posts nothing.
    const wrong = await execa("sh", ["-c", `${firing!.replace(/\$\(cat [^)]*\)/, "nope")} -sS -o /dev/null -w '%{http_code}'`]);
    expect(wrong.stdout).toBe("401");
  });

  it("deploys misato once ritsuko approves, lists its generations and rolls it back", async () => {
    const sha = (await execa("git", ["-C", join(dir, "flake-origin.git"), "rev-parse", "main"])).stdout.trim();
    const command = await demo.say(state.roomId, "!deploy misato");
    const prompt = await demo.waitForReply(state.roomId, command);
    expect(prompt.content.body).toContain(`deploy (switch) misato at ${sha.slice(0, 12)} "bump nixpkgs to 25.05", requested by @demo:localhost`);
    expect(prompt.content.body).toContain("not from @demo:localhost");
    await react(ritsuko, prompt.event_id, "👍");
    const done = await jobOutcome(command, /(^|\n)job \d+ · deploy misato /);
    expect(done).toMatch(new RegExp(`succeeded .*deployed ${sha.slice(0, 7)} to misato \\(switch\\)`));
    expect(calls("misato")).toContain(`nixos-rebuild switch --flake git+file://${join(dir, "flake-origin.git")}?rev=${sha}#misato\n`);
    const generations = await demo.waitForReply(state.roomId, await demo.say(state.roomId, "!generations misato"), 20_000);
    expect(generations.content.body).toMatch(new RegExp(`^• generation 3 \\(current\\)\\n[^•]*${sha.slice(0, 7)}`));
    const rollback = await demo.say(state.roomId, "!rollback misato");
    expect(await jobOutcome(rollback, /(^|\n)job \d+ · rollback misato /)).toMatch(/succeeded .*rolled misato back to the previous generation/);
    expect(calls("misato")).toContain("nixos-rebuild switch --rollback\n");
  });

  it("reboots demo after ✅ (down and back), shuts kaji down and wakes it with a magic packet", async () => {
    const reboot = await demo.say(state.roomId, "!reboot demo");
    const shutdown = await demo.say(state.roomId, "!shutdown kaji");
    await react(demo, (await demo.waitForReply(state.roomId, reboot)).event_id, "✅");
    await react(demo, (await demo.waitForReply(state.roomId, shutdown)).event_id, "✅");
    const [rebooted, down] = await Promise.all([jobOutcome(reboot, /^job \d+ · reboot demo/), jobOutcome(shutdown, /^job \d+ · shutdown kaji/)]);
    expect(rebooted).toMatch(/succeeded .*demo went down after \d+ s and is back up after \d+ s$/);
    expect(down).toMatch(/succeeded .*kaji is down after \d+ s$/);
    const wake = await demo.say(state.roomId, "!wake kaji");
    expect(await jobOutcome(wake, /^job \d+ · wake kaji/)).toMatch(/succeeded .*kaji is up after \d+ s$/);
    expect(calls("demo")).toContain("systemctl reboot --no-block\n");
    expect(calls("kaji")).toContain("systemctl poweroff --no-block\n");
    // A simulated boot each: the one at start, demo's reboot, kaji's wake.
    expect(calls("demo").match(/^power-on /gm)).toHaveLength(2);
    expect(calls("kaji").match(/^power-on /gm)).toHaveLength(2);
    expect(readFileSync(BOOT_ID, "utf8")).toBe(bootId);
  });

  it("refuses a command naming a system tool by absolute path before running anything", async () => {
    const host = join(dir, "hosts", "misato");
    const trap = join(dir, "trap");
    mkdirSync(join(trap, "bin"), { recursive: true });
    // Stands in for the real tool: if the guard ever let the command through, these files would appear.
    writeFileSync(join(trap, "bin", "systemctl"), `#!/bin/sh\ntouch ${join(trap, "tool-ran")}\n`);
    chmodSync(join(trap, "bin", "systemctl"), 0o755);
    const ssh = (command: string) =>
      execa("ssh", ["-i", join(host, "client_ed25519"), "-p", String(state.demoHosts.misato), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", `${userInfo().username}@127.0.0.1`, command], { reject: false });
    // The trap comes first: if the guard ever let a command through, it fires and the loop stops
    // there. The real tools come after it, behind "false &&", so even then they could not run.
    for (const command of [`touch ${join(trap, "before")}; ${join(trap, "bin", "systemctl")} poweroff --no-block`, "false && /usr/bin/systemctl reboot", "false && '/sbin/reboot'"]) {
      const result = await ssh(command);
      expect(result.exitCode).toBe(126);
      expect(result.stderr).toBe("demo host misato: refused: it names a system tool by absolute path, which would reach the real machine; call the tool by name (the demo tools simulate it)");
    }
    expect(existsSync(join(trap, "before"))).toBe(false);
    expect(existsSync(join(trap, "tool-ran"))).toBe(false);
    expect(calls("misato")).toContain("refused\tfalse && '/sbin/reboot'\n");
    // By name, the same tool is the demo one, which only asks the sandbox for a reboot... of nothing real.
    expect((await ssh("systemctl is-system-running")).stdout).toBe("running");
    expect(readFileSync(BOOT_ID, "utf8")).toBe(bootId);
  });

  it("stops cleanly on Ctrl-C, keeps its state, and upgrades a state file from before the demo fleet", async () => {
    const first = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    running!.child.kill("SIGINT");
    expect(await running!.exited).toBe(0);
    // What an older sandbox wrote: one demo host port, no second user, no wake port.
    const { ritsuko: _r, demoHosts, wakePort: _w, ...old } = first;
    writeFileSync(join(dir, "sandbox.json"), JSON.stringify({ ...old, demoHostPort: demoHosts.demo }));
    running = startSandbox(dir);
    expect(await running.ready).toContain("adding the second demo user, ritsuko");
    const state = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    expect(state.roomId).toBe(first.roomId);
    expect(state.demoHosts.demo).toBe(demoHosts.demo);
    const demo = new TestUser(state.homeserverUrl, state.demo.userId, state.demo.accessToken);
    const pong = await demo.waitForReply(state.roomId, await demo.say(state.roomId, "!ping"));
    expect(pong.content.body).toBe("pong");
    const ritsuko = new TestUser(state.homeserverUrl, state.ritsuko.userId, state.ritsuko.accessToken);
    const who = await ritsuko.waitForReply(state.roomId, await ritsuko.say(state.roomId, "!whoami"));
    expect(who.content.body).toBe("You are @ritsuko:localhost, level 3 (deployer) in this room.");
  });
});
