// The reload decision: what a new config file changes at once, what waits for a restart, and what is refused.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/load-config.ts";
import { planReload } from "../../../config/plan-reload.ts";
import type { Config } from "../../../config/schema.ts";
import { MINIMAL_YAML } from "./minimal-config.ts";

const EXAMPLE = readFileSync("config.example.yaml", "utf8");
const BASE = `${MINIMAL_YAML}access:
  users:
    "@dan:example.org": admin
    "@ann:example.org": communication
hosts:
  nas:
    address: nas.lan
`;

function parse(text: string): Config {
  const result = parseConfig(text, "/etc/magi");
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.config;
}

describe("planning a reload", () => {
  it("changes nothing when the file is the same, and the merge passes the schema again", () => {
    const running = parse(EXAMPLE);
    expect(planReload(running, parse(EXAMPLE))).toEqual({ ok: true, config: running, changed: [], waiting: [] });
  });

  it("applies a new host, a user's new level and a new room at once", () => {
    const running = parse(BASE);
    const next = parse(`${BASE.replace("communication", "deployer")}  kaji:\n    address: 10.0.0.9\n    tags: [lab]\n`.replace("rooms:\n", 'rooms:\n  "!new:localhost": {}\n'));
    const plan = planReload(running, next);
    if (!plan.ok) throw new Error(plan.problems.join("\n"));
    expect(plan.changed.sort()).toEqual(["access", "hosts", "rooms"]);
    expect(plan.waiting).toEqual([]);
    expect(plan.config.hosts.kaji).toMatchObject({ address: "10.0.0.9", tags: ["lab"] });
    expect(plan.config.access.users["@ann:example.org"]).toBe(3);
    expect(Object.keys(plan.config.rooms)).toEqual(["!new:localhost", "!room:localhost"]);
  });

  it("keeps sections read only at start as they run, and names them", () => {
    const running = parse(BASE);
    const plan = planReload(running, parse(`${BASE}log:\n  level: debug\njobs:\n  stop_grace_seconds: 5\n`));
    if (!plan.ok) throw new Error(plan.problems.join("\n"));
    expect(plan).toMatchObject({ changed: [], waiting: ["log", "jobs"] });
    expect(plan.config.log.level).toBe("info");
    expect(plan.config.jobs.stop_grace_seconds).toBe(30);
  });

  it("applies new Forgejo routes at once", () => {
    const route = 'forgejo:\n  routes:\n    nixos: { repository: team/nixos-config, branch: main, room: "!room:localhost", secret_file: s, proposes: [nas], mode: deploy, deploy_as: "@ci:example.org" }\n';
    const plan = planReload(parse(BASE), parse(`${BASE}${route}`));
    if (!plan.ok) throw new Error(plan.problems.join("\n"));
    expect(plan).toMatchObject({ changed: ["forgejo"], waiting: [] });
    expect(plan.config.forgejo.routes.nixos).toMatchObject({ mode: "deploy", deploy_as: "@ci:example.org", proposes: ["nas"] });
  });

  it("applies new schedules, and refuses to drop a host that a check magi keeps running still names", () => {
    const check = 'checks:\n  backup:\n    uuid: 0b9f8c2e-3a4d-4e5f-8a6b-7c8d9e0f1a2b\n    schedule: "0 3 * * *"\n    room: "!room:localhost"\n    hosts: [nas]\n';
    const schedule = 'schedules:\n  nightly:\n    cron: "0 3 * * *"\n    room: "!room:localhost"\n    hosts: [nas]\n';
    const running = parse(`${BASE}${check}`);
    const withSchedule = planReload(running, parse(`${BASE}${check}${schedule}`));
    expect(withSchedule).toMatchObject({ ok: true, changed: ["schedules"], waiting: [] });
    const next = parse(BASE.replace("  nas:\n    address: nas.lan\n", "  kaji:\n    address: kaji.lan\n"));
    expect(planReload(running, next)).toEqual({
      ok: false,
      problems: ["checks.backup.hosts: unknown host nas (a reload keeps checks as magi started with them; restart magi to change those)"],
    });
  });
});
