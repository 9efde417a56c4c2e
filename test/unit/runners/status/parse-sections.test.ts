import { describe, expect, it } from "vitest";
import { readProbeReport } from "../../../../runners/status/parse-sections.ts";
import { PROBE_MARK } from "../../../../runners/status/probe-script.ts";
import { OUTPUTS } from "./make-result.ts";
import { DF, HEALTHY, LINKS, mark, NONCE, renderProbeOutput, renderSection } from "./probe-output.ts";

describe("readProbeReport", () => {
  it("reads every section of a healthy host byte for byte, ignoring what the login shell printed first", () => {
    const text = "Welcome to misato\n\n" + renderProbeOutput(HEALTHY);
    const report = readProbeReport(text);
    expect(report.sections).toEqual({
      proc: { stdout: OUTPUTS.proc, stderr: "", exitCode: 0 },
      links: { stdout: LINKS, stderr: "", exitCode: 0 },
      units: { stdout: "[]\n", stderr: "", exitCode: 0 },
      zfs: { stdout: OUTPUTS.zfsHealthy, stderr: "", exitCode: 0 },
      disks: { stdout: DF, stderr: "", exitCode: 0 },
      nixos: { stdout: OUTPUTS.nixos, stderr: "", exitCode: 0 },
    });
  });

  it("keeps stderr and exit codes apart per probe, and blank lines inside output", () => {
    const report = readProbeReport(renderProbeOutput([
      { name: "links", stdout: "/nix/store/a-nixos-system-h\n", stderr: "readlink: /nix/var/nix/profiles/system: No such file or directory\n", exit: 1 },
      { name: "zfs", stderr: "sh: 1: zpool: not found\n", exit: 127 },
      { name: "proc", stdout: "1.5 2.5\n\n0.1 0.2 0.3 1/2 3\n" },
    ]));
    expect(report.sections.links).toEqual({ stdout: "/nix/store/a-nixos-system-h\n", stderr: "readlink: /nix/var/nix/profiles/system: No such file or directory\n", exitCode: 1 });
    expect(report.sections.zfs).toEqual({ stdout: "", stderr: "sh: 1: zpool: not found\n", exitCode: 127 });
    expect(report.sections.proc?.stdout).toBe("1.5 2.5\n\n0.1 0.2 0.3 1/2 3\n");
  });

  it("keeps a probe's own exit code, whatever it is", () => {
    const report = readProbeReport(renderProbeOutput([...HEALTHY.slice(0, 3), { name: "disks", stdout: "Filesystem 1024-blocks Used Available Capacity Mounted on\n", exit: 124 }]));
    expect(report.sections.disks).toEqual({ stdout: "Filesystem 1024-blocks Used Available Capacity Mounted on\n", stderr: "", exitCode: 124 });
  });

  it("ignores a start line with anything after it, as an older script printed", () => {
    const older = renderProbeOutput(HEALTHY).replace(" start\n", " start 1.6\n");
    expect(readProbeReport(older).sections).toEqual({});
  });

  it("takes only complete sections from output that is still arriving", () => {
    const whole = renderProbeOutput(HEALTHY.slice(0, 2));
    const open = mark("out disks") + "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 100 50 50 50% /\n";
    expect(Object.keys(readProbeReport(whole + open).sections)).toEqual(["proc", "links"]);
    // A marker line still missing its newline may be incomplete ("exit units 1" of "exit units 127").
    const cut = whole + renderSection({ name: "units", exit: 127 }).slice(0, -3);
    expect(readProbeReport(cut).sections.units).toBeUndefined();
  });

  it("treats marker lookalikes inside probe output as output", () => {
    const lookalikes = [
      `${PROBE_MARK} 00000000-0000-0000-0000-000000000000 exit disks 0`,
      `${PROBE_MARK} exit disks 0`,
      `@@magi-probe ${NONCE} exit disks 0`,
      ` ${PROBE_MARK} ${NONCE} exit disks 0`,
      `${PROBE_MARK} ${NONCE} exit disks 0 trailing`,
      `${PROBE_MARK} ${NONCE} exit bogus 0`,
      `${PROBE_MARK} ${NONCE} out`,
      "\u0000\u001b[31mgarbage\u001b[0m",
    ].join("\n") + "\n";
    const report = readProbeReport(renderProbeOutput([{ name: "disks", stdout: lookalikes + OUTPUTS.df }, HEALTHY[0]!]));
    expect(report.sections.disks).toEqual({ stdout: lookalikes + OUTPUTS.df, stderr: "", exitCode: 0 });
    expect(report.sections.proc?.stdout).toBe(OUTPUTS.proc);
  });

  it("drops a section whose markers come out of order, and keeps the next good one", () => {
    const broken = mark("out units") + "[]\n" + mark("exit units 0") + mark("err zfs") + mark("exit zfs 0");
    const report = readProbeReport(renderProbeOutput([]) + broken + renderSection(HEALTHY[0]!));
    expect(report.sections).toEqual({ proc: { stdout: OUTPUTS.proc, stderr: "", exitCode: 0 } });
  });

  it("keeps the first of two sections for one probe", () => {
    const text = renderProbeOutput([{ name: "units", stdout: "[]\n" }, { name: "units", stdout: "[{}]\n", exit: 1 }]);
    expect(readProbeReport(text).sections.units).toEqual({ stdout: "[]\n", stderr: "", exitCode: 0 });
  });

  it("finds nothing without this script's start line", () => {
    expect(readProbeReport("")).toEqual({ sections: {} });
    expect(readProbeReport("sh: 1: mktemp: not found\n")).toEqual({ sections: {} });
    const forged = `${PROBE_MARK} ${NONCE} start 1.6 extra\n` + renderSection(HEALTHY[0]!);
    expect(readProbeReport(forged)).toEqual({ sections: {} });
  });
});
