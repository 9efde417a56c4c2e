// The demo hosts' ForceCommand, run here as sshd would run it (SSH_ORIGINAL_COMMAND set), with the
// exact command lines magi's runners send: system tools named by absolute path are refused before
// anything runs; the simulated tools keep every change inside the host's own directory.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeEach, describe, expect, it } from "vitest";
import { findDemoTools } from "../../../../bot/sandbox/demo-fleet.ts";
import { buildRollbackSteps } from "../../../../runners/deploy/rollback.ts";
import { buildRemoteCommand } from "../../../../runners/ssh/quote.ts";
import { buildWrappedCommand } from "../../../../runners/ssh/wrapper.ts";

const TOOLS = findDemoTools();
const REFUSED = "demo host misato: refused: it names a system tool by absolute path, which would reach the real machine; call the tool by name (the demo tools simulate it)\n";
const REVS = ["1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"];

describe("session-guard", () => {
  let dir: string;
  let host: string;
  const env = () => ({ MAGI_DEMO_HOST_DIR: host, MAGI_DEMO_HOST_NAME: "misato", MAGI_DEMO_TOOLS: TOOLS, MAGI_DEMO_SYSTEM_PATH: "/usr/local/bin:/usr/bin:/bin" });
  const session = (command: string) => execa(join(TOOLS, "session-guard"), [host, "misato"], { env: { SSH_ORIGINAL_COMMAND: command }, extendEnv: true, reject: false, stripFinalNewline: false });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "magi-guard-"));
    host = join(dir, "misato");
    mkdirSync(host);
    await execa(join(TOOLS, "power-on"), REVS, { env: env() });
  });

  it("refuses absolute paths to mutating tools with exit 126 before running any part of the command", async () => {
    const trap = join(dir, "bin", "systemctl");
    mkdirSync(join(dir, "bin"));
    writeFileSync(trap, `#!/bin/sh\ntouch ${join(dir, "tool-ran")}\n`);
    chmodSync(trap, 0o755);
    // The trap comes first: if the guard ever let a command through, it fires and the loop stops
    // there. The real tools come after it, behind "false &&", so even then they could not run.
    for (const command of [
      `touch ${join(dir, "before")}; ${trap} poweroff`,
      "false && /usr/bin/systemctl reboot",
      `false && ${buildRemoteCommand(["/sbin/reboot"])}`,
      `false && ${buildWrappedCommand(["/run/current-system/sw/bin/nixos-rebuild", "switch"])}`,
      "false && echo ok && /usr/sbin/shutdown -h now",
    ]) {
      const result = await session(command);
      expect({ command, exitCode: result.exitCode, stderr: result.stderr }).toEqual({ command, exitCode: 126, stderr: REFUSED });
    }
    expect(existsSync(join(dir, "before"))).toBe(false);
    expect(existsSync(join(dir, "tool-ran"))).toBe(false);
    expect(readFileSync(join(host, "calls.log"), "utf8")).toContain("refused\tfalse && /usr/bin/systemctl reboot\n");
  });

  it("refuses privilege escalation, whose own PATH would find the real tools", async () => {
    for (const command of [buildRemoteCommand(["sudo", "-n", "systemctl", "reboot", "--no-block"]), "false && sudo reboot", "false; doas poweroff"]) {
      const result = await session(command);
      expect({ command, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        command, exitCode: 126, stderr: "demo host misato: refused: demo hosts run without privilege escalation (sudo would reach the real tools); set the host's ssh.sudo to false\n",
      });
    }
    expect(existsSync(join(host, "power-request"))).toBe(false);
  });

  it("runs tools by name as the demo ones: a reboot is only a request file for the sandbox", async () => {
    const result = await session(buildWrappedCommand(["systemctl", "reboot", "--no-block"]));
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(host, "power-request"), "utf8")).toBe("reboot\n");
    expect(readFileSync(join(host, "calls.log"), "utf8")).toContain("systemctl reboot --no-block\n");
  });

  it("rolls back to a numbered generation with the runner's own steps, inside the host's directory", async () => {
    const built = buildRollbackSteps("1");
    if (!built.ok) throw new Error(built.problem);
    const before = readlinkSync(join(host, "run", "current-system"));
    expect(before).toMatch(/-nixos-system-misato-25\.05\.20250601\.2222222$/);
    for (const step of built.steps) expect((await session(buildWrappedCommand(step))).exitCode).toBe(0);
    expect(readlinkSync(join(host, "run", "current-system"))).toMatch(/-nixos-system-misato-25\.05\.20250601\.1111111$/);
    expect(readlinkSync(join(host, "profiles", "system"))).toBe("system-1-link");
    const read = await session(buildRemoteCommand(["readlink", "/run/current-system", "/run/booted-system", "/nix/var/nix/profiles/system"]));
    expect(read.stdout).toBe(`${readlinkSync(join(host, "run", "current-system"))}\n${before}\nsystem-1-link\n`);
  });
});
