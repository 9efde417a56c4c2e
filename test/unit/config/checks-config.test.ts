// The checks and pings sections: defaults, and every mistake named by its path before anything runs. Run alone:
// npx vitest run test/unit/config/checks-config.test.ts
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../../config/load-config.ts";
import { MINIMAL_YAML } from "./minimal-config.ts";

const UUID = "9b3c1f2e-6a4d-4e8b-a1c2-3d4e5f6a7b8c";
const parse = (yaml: string) => parseConfig(`${MINIMAL_YAML}${yaml}`, "/etc/magi");

describe("checks config", () => {
  it("fills in UTC, one hour of grace, no hosts, and a 100 kB body limit; ping files resolve against the config's directory", () => {
    const result = parse(`checks:\n  backup-nas: { uuid: ${UUID}, slug: backup-nas, schedule: 1d, room: "#ops:example.org" }\npings: { key_file: ping-key }\n`);
    expect(result.ok && [result.config.checks["backup-nas"], result.config.pings]).toEqual([
      { uuid: UUID, slug: "backup-nas", schedule: "1d", tz: "UTC", grace: "1h", room: "#ops:example.org", hosts: [] },
      { key_file: "/etc/magi/ping-key", credentials_file: undefined, body_limit_bytes: 100_000 },
    ]);
  });

  it("is shown in config.example.yaml with every key", () => {
    const result = loadConfig("config.example.yaml");
    if (!result.ok) throw new Error(result.problems.join("; "));
    expect(Object.keys(result.config.checks["backup-nas"]!).sort()).toEqual(["grace", "hosts", "room", "schedule", "slug", "tz", "uuid"]);
  });

  it("names a guessable uuid, a bad slug, schedule, time zone and grace by their paths", () => {
    const result = parse(`checks:
  a: { uuid: 9b3c1f2e-6a4d-1e8b-a1c2-3d4e5f6a7b8c, schedule: "every night", tz: Mars/Olympus, grace: 1 hour, room: "#ops:example.org" }
  b: { slug: "Backup NAS", schedule: "61 * * * *", room: "#ops:example.org" }
  c: { schedule: 1d, room: "#ops:example.org" }
`);
    expect(result.ok ? [] : result.problems).toEqual([
      "checks.a.uuid: expected a random (version 4) uuid in lower case, e.g. from `uuidgen -r`, got \"9b3c1f2e-6a4d-1e8b-a1c2-3d4e5f6a7b8c\"",
      'checks.a.schedule: "every night" is not a cron expression (Unknown alias: eve); expected e.g. "0 2 * * *" or a period like "1d"',
      "checks.a.tz: expected an IANA time zone like Europe/Berlin or UTC",
      'checks.a.grace: expected a period like "30s", "15m", "1h", "1d" or "1w", got "1 hour"',
      "checks.b.slug: expected a slug of lower-case letters, digits, dashes and underscores, got \"Backup NAS\"",
      'checks.b.schedule: "61 * * * *" is not a cron expression (Field value (61) is out of range); expected e.g. "0 2 * * *" or a period like "1d"',
      "checks.c: set uuid, slug or both: a check nobody can ping is always down",
      "checks.b.slug: a slug needs pings.key_file (the ping key in /ping/<ping-key>/<slug>)",
    ]);
  });

  it("refuses a slug without a ping key, two checks answering to one uuid, and a host that does not exist", () => {
    const result = parse(`checks:
  a: { uuid: ${UUID}, slug: a, schedule: 1d, room: "#ops:example.org", hosts: [nas] }
  b: { uuid: ${UUID}, schedule: 1d, room: "#ops:example.org" }
`);
    expect(result.ok ? [] : result.problems).toEqual([
      "checks.a.hosts: unknown host nas",
      "checks.a.slug: a slug needs pings.key_file (the ping key in /ping/<ping-key>/<slug>)",
      "checks.b.uuid: checks.a has the same uuid",
    ]);
  });
});
