// The preview's parsers on output written in nix's and switch-to-configuration's formats (as the fakes print them).
import { describe, expect, it } from "vitest";
import { createBuildLogReader, describeBuildProgress } from "../../../../runners/preview/parse-build-log.ts";
import { findBootChanges, parseChangeLine, parseDiffClosures } from "../../../../runners/preview/parse-diff-closures.ts";
import { parseDryActivate } from "../../../../runners/preview/parse-dry-activate.ts";
import { describeHostPreview, formatKiB } from "../../../../runners/preview/describe-preview.ts";
import { pickOutPath } from "../../../../runners/preview/build-system.ts";

const at = (event: object) => `@nix ${JSON.stringify(event)}`;

describe("nix internal-json progress", () => {
  it("counts derivations built and paths fetched from the builds and copy-paths activities", () => {
    const reader = createBuildLogReader();
    reader.push(at({ action: "start", id: 1, level: 4, parent: 0, text: "", type: 102, fields: [] }));
    reader.push(at({ action: "result", id: 1, type: 106, fields: [104, 530] }));
    expect(describeBuildProgress(reader.progress())).toBe("evaluating");
    reader.push(at({ action: "start", id: 2, level: 5, parent: 1, text: "", type: 104, fields: [] }));
    reader.push(at({ action: "start", id: 3, level: 5, parent: 1, text: "", type: 103, fields: [] }));
    reader.push(at({ action: "result", id: 2, type: 105, fields: [214, 530, 1, 0] }));
    expect(describeBuildProgress(reader.progress())).toBe("214/530 derivations");
    reader.push(at({ action: "result", id: 3, type: 105, fields: [12, 40, 0, 0] }));
    expect(describeBuildProgress(reader.progress())).toBe("214/530 derivations, 12/40 paths fetched");
    // Progress of an activity of another kind (one build's own) is not the derivation count.
    reader.push(at({ action: "start", id: 9, level: 3, parent: 2, text: "building 'x.drv'", type: 105, fields: ["/nix/store/x.drv", "", 1, 1] }));
    reader.push(at({ action: "result", id: 9, type: 105, fields: [1, 2, 0, 0] }));
    expect(reader.progress()).toMatchObject({ built: 214, toBuild: 530 });
  });

  it("keeps errors, build log lines and plain lines for the failure, without colours", () => {
    const reader = createBuildLogReader();
    reader.push(at({ action: "start", id: 900, type: 105, fields: ["/nix/store/a-nginx-config.drv", "", 1, 1] }));
    reader.push(at({ action: "result", id: 900, type: 101, fields: ['nginx: [emerg] unknown directive "proxy_passs"'] }));
    reader.push(at({ action: "msg", level: 3, msg: "info that is not kept" }));
    reader.push(at({ action: "msg", level: 0, msg: "\u001b[31;1merror:\u001b[0m builder for '/nix/store/a-nginx-config.drv' failed with exit code 1" }));
    reader.push("warning: Git tree '/tmp/flake' is dirty");
    reader.push("@nix {not json");
    expect(reader.progress().tail).toEqual([
      'nginx: [emerg] unknown directive "proxy_passs"',
      "error: builder for '/nix/store/a-nginx-config.drv' failed with exit code 1",
      "warning: Git tree '/tmp/flake' is dirty",
      "@nix {not json",
    ]);
  });

  it("takes the toplevel path from --print-out-paths", () => {
    expect(pickOutPath("\n/nix/store/z4b3101497a997b327z66010b68f0325-nixos-system-misato-25.05\n")).toBe("/nix/store/z4b3101497a997b327z66010b68f0325-nixos-system-misato-25.05");
    expect(pickOutPath("warning: something\n")).toBeUndefined();
  });
});

const DIFF = `firefox: ∅ → 126.0.1, +246510.3 KiB
initrd-linux: 6.6.30 → 6.6.32
linux: 6.6.30 → 6.6.32, +1234.5 KiB
nano: 7.2 → ∅, -2811.4 KiB
openssh: 9.7p1 → 9.8p1, +18.2 KiB
python3: 3.11.9, 3.12.3 → 3.12.4, -45102.9 KiB
\u001b[1msystemd\u001b[0m: 255.6 → 256.1, \u001b[31;1m+512.0 KiB\u001b[0m
zstd: +9.1 KiB
`;

describe("nix store diff-closures", () => {
  it("reads versions and sizes, with ∅ for absent and several versions", () => {
    expect(parseChangeLine("linux: 6.6.30 → 6.6.32, +1234.5 KiB")).toEqual({ name: "linux", from: ["6.6.30"], to: ["6.6.32"], deltaKiB: 1234.5 });
    expect(parseChangeLine("python3: 3.11.9, 3.12.3 → 3.12.4, -45102.9 KiB")).toEqual({ name: "python3", from: ["3.11.9", "3.12.3"], to: ["3.12.4"], deltaKiB: -45102.9 });
    expect(parseChangeLine("zstd: +9.1 KiB")).toEqual({ name: "zstd", from: [], to: [], deltaKiB: 9.1 });
    expect(parseChangeLine("copying path '/nix/store/x' from 'ssh-ng://root@misato'...")).toBeUndefined();
  });

  it("sorts changes into added, removed and changed, sums the size, and names boot-time packages", () => {
    const diff = parseDiffClosures(DIFF);
    expect(diff.added.map((c) => c.name)).toEqual(["firefox"]);
    expect(diff.removed.map((c) => c.name)).toEqual(["nano"]);
    expect(diff.changed.map((c) => c.name)).toEqual(["initrd-linux", "linux", "openssh", "python3", "systemd", "zstd"]);
    expect(diff.totalKiB).toBe(200369.8);
    expect(findBootChanges(diff)).toEqual(["initrd-linux", "linux", "systemd"]);
    expect(findBootChanges(parseDiffClosures("openssh: 9.7p1 → 9.8p1, +18.2 KiB\n"))).toEqual([]);
  });
});

describe("switch-to-configuration dry-activate", () => {
  it("lists the units it would stop, restart, reload and start", () => {
    const out = [
      "would stop the following units: nginx.service",
      "would NOT stop the following changed units: getty@tty1.service",
      "would activate the configuration...",
      "would restart systemd",
      "would restart the following units: sshd.service, systemd-journald.service",
      "would reload the following units: dbus.service",
      "would start the following units: k3s.service, nginx.service",
    ].join("\n");
    expect(parseDryActivate(out)).toEqual({ stop: ["nginx.service"], restart: ["sshd.service", "systemd-journald.service"], reload: ["dbus.service"], start: ["k3s.service", "nginx.service"], systemd: true });
    expect(parseDryActivate("would activate the configuration...\n")).toEqual({ stop: [], restart: [], reload: [], start: [], systemd: false });
  });
});

describe("the preview in words", () => {
  it("shows path, counts, top changes, the reboot and the units", () => {
    const diff = parseDiffClosures(DIFF);
    const lines = describeHostPreview({ ok: true, host: "misato", builtOn: "magi", path: "/nix/store/abc-nixos-system-misato", current: "/nix/store/old", same: false, diff, notes: [], bootChanges: findBootChanges(diff), units: parseDryActivate("would restart the following units: sshd.service"), cached: false });
    expect(lines).toEqual([
      "misato: /nix/store/abc-nixos-system-misato (built on magi)",
      "  6 changed, 1 added, 1 removed; closure +195.7 MiB",
      "  firefox ∅ → 126.0.1 (+240.7 MiB), python3 3.11.9, 3.12.3 → 3.12.4 (-44.0 MiB), nano 7.2 → ∅ (-2.7 MiB), linux 6.6.30 → 6.6.32 (+1.2 MiB), systemd 255.6 → 256.1 (+512.0 KiB), openssh 9.7p1 → 9.8p1 (+18.2 KiB), and 2 more",
      "  reboot needed: initrd-linux, linux, systemd changed, which only a reboot runs; consider !deploy misato --boot",
      "  units — restart: sshd.service",
    ]);
    expect(formatKiB(-3 * 1024 * 1024)).toBe("-3.0 GiB");
  });

  it("says when the host already runs the build, and a failed build's last lines", () => {
    expect(describeHostPreview({ ok: true, host: "misato", builtOn: "magi", path: "/nix/store/abc-x", current: "/nix/store/abc-x", same: true, notes: [], bootChanges: [], cached: false })).toEqual(["misato already runs this system (/nix/store/abc-x); nothing to deploy"]);
    expect(describeHostPreview({ ok: false, host: "kaji", problem: "nix build failed (exit code 1)", tail: ["error: boom"] })).toEqual(["kaji: build failed: nix build failed (exit code 1)", "  error: boom"]);
  });
});
