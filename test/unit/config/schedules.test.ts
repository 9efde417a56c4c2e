// The schedules section: defaults, and every mistake named by its path before anything runs. Run alone:
// npx vitest run test/unit/config/schedules.test.ts
import { describe, expect, it } from "vitest";
import { checkScheduleHosts } from "../../../bot/run-schedules.ts";
import { loadConfig, parseConfig } from "../../../config/load-config.ts";
import { resolveInventory } from "../../../runners/inventory.ts";
import { MINIMAL_YAML } from "./minimal-config.ts";

const HOSTS = `hosts:
  kaji: { address: 10.0.0.2, tags: [k3s], ssh: { host_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJx0 kaji" } }
  vps: { address: 203.0.113.7, tags: [prod] }
`;
const parse = (schedules: string) => parseConfig(`${MINIMAL_YAML}${HOSTS}schedules:\n${schedules}`, "/etc/magi");

describe("schedules config", () => {
  it("fills in every host, every kind of problem, UTC and two rounds", () => {
    const result = parse('  fleet: { cron: "*/5 * * * *", room: "#ops:example.org" }\n');
    expect(result.ok && result.config.schedules.fleet).toEqual({
      cron: "*/5 * * * *", tz: "UTC", room: "#ops:example.org", hosts: ["all"],
      watch: ["reachability", "failed_units", "disks", "reboot", "zfs", "checks"], confirm_after: 2,
    });
  });

  it("is shown in config.example.yaml with every key", () => {
    const result = loadConfig("config.example.yaml");
    if (!result.ok) throw new Error(result.problems.join("; "));
    expect(Object.keys(result.config.schedules.fleet!).sort()).toEqual(["confirm_after", "cron", "digest_cron", "hosts", "room", "tz", "watch"]);
  });

  it("names a bad cron expression, time zone, watch kind and count by their paths", () => {
    const result = parse('  fleet: { cron: "every 5 minutes", tz: Mars/Olympus, room: "#ops:example.org", watch: [zfs, smart], confirm_after: 0, digest_cron: "61 * * * *" }\n');
    expect(result.ok ? [] : result.problems).toEqual([
      'schedules.fleet.cron: expected a cron expression like "*/5 * * * *" (minute hour day month weekday, optionally seconds first): Unknown alias: eve',
      "schedules.fleet.tz: expected an IANA time zone like Europe/Berlin or UTC",
      'schedules.fleet.watch.1: expected reachability, failed_units, disks, reboot, zfs or checks, got "smart"',
      "schedules.fleet.confirm_after: expected a number at least 1, got 0",
      'schedules.fleet.digest_cron: expected a cron expression like "*/5 * * * *" (minute hour day month weekday, optionally seconds first): Field value (61) is out of range',
    ]);
  });

  it("names hosts and tags that do not exist", () => {
    const result = parse('  fleet: { cron: "*/5 * * * *", room: "#ops:example.org", hosts: [kaji, nobody, "@storage"] }\n');
    expect(result.ok ? [] : result.problems).toEqual(["schedules.fleet.hosts: unknown host nobody", "schedules.fleet.hosts: no host has the tag @storage"]);
  });

  it("refuses at start a host named on its own that has no ssh settings, but lets a tag or all take one in", async () => {
    const result = parse('  fleet: { cron: "*/5 * * * *", room: "#ops:example.org", hosts: [vps] }\n  wide: { cron: "*/5 * * * *", room: "#ops:example.org", hosts: ["@prod", all] }\n');
    if (!result.ok) throw new Error(result.problems.join("; "));
    const { inventory } = await resolveInventory(result.config.hosts);
    expect(checkScheduleHosts(result.config.schedules, inventory)).toEqual(["schedules.fleet.hosts: vps has no ssh settings, so a schedule cannot check it"]);
  });
});
