import { describe, expect, it } from "vitest";
import { parseGenerations } from "../../../../runners/deploy/parse-generations.ts";
import { buildRollbackSteps } from "../../../../runners/deploy/rollback.ts";
import { toGenerationName } from "../../../../runners/deploy/read-generation.ts";

// nixos-rebuild-ng: json.dumps(generations, indent=2), newest first.
const NG_OUTPUT = `[
  {
    "generation": 42,
    "date": "2025-06-01 12:00:04",
    "nixosVersion": "25.05.20250601.a1b2c3d",
    "kernelVersion": "6.12.31",
    "configurationRevision": "9f3c2a1b7e6d5c4b3a2918f7e6d5c4b3a2918f7e",
    "specialisations": [],
    "current": true
  },
  {
    "generation": 41,
    "date": "2025-05-28 09:13:52",
    "nixosVersion": "25.05.20250527.0e9c1f2",
    "kernelVersion": "6.12.30",
    "configurationRevision": "Unknown",
    "specialisations": [
      "no-k3s"
    ],
    "current": false
  }
]
`;

// The older shell nixos-rebuild: jq --slurp of hand-written objects, dates from jq's todate.
const LEGACY_OUTPUT = `[
  {
    "generation": 7,
    "date": "2024-03-02T10:11:12Z",
    "nixosVersion": "23.11.20240301.abcdef0",
    "kernelVersion": "6.1.79",
    "configurationRevision": "",
    "specialisations": [
      "*"
    ],
    "current": false
  },
  {
    "generation": 8,
    "date": "2024-03-05T08:00:00Z",
    "nixosVersion": "23.11.20240304.1234567",
    "kernelVersion": "6.1.80",
    "configurationRevision": "",
    "specialisations": [
      "*"
    ],
    "current": true
  }
]`;

describe("parseGenerations", () => {
  it("reads nixos-rebuild-ng's output", () => {
    expect(parseGenerations(NG_OUTPUT)).toEqual({
      ok: true,
      generations: [
        { generation: 42, date: "2025-06-01 12:00:04", nixosVersion: "25.05.20250601.a1b2c3d", kernelVersion: "6.12.31", configurationRevision: "9f3c2a1b7e6d5c4b3a2918f7e6d5c4b3a2918f7e", specialisations: [], current: true },
        { generation: 41, date: "2025-05-28 09:13:52", nixosVersion: "25.05.20250527.0e9c1f2", kernelVersion: "6.12.30", configurationRevision: "Unknown", specialisations: ["no-k3s"], current: false },
      ],
    });
  });

  it("reads the older shell script's output and sorts newest first", () => {
    const parsed = parseGenerations(LEGACY_OUTPUT);
    expect(parsed.ok && parsed.generations.map((g) => [g.generation, g.current, g.date])).toEqual([[8, true, "2024-03-05T08:00:00Z"], [7, false, "2024-03-02T10:11:12Z"]]);
  });

  it("names what does not fit", () => {
    expect(parseGenerations("No profile `system' found")).toMatchObject({ ok: false, problem: expect.stringMatching(/^list-generations did not print JSON: /) });
    expect(parseGenerations('[{"generation":"42"}]')).toMatchObject({ ok: false, problem: expect.stringMatching(/^unexpected list-generations JSON at 0\.generation: /) });
  });
});

describe("buildRollbackSteps", () => {
  it("rolls back to the previous generation with nixos-rebuild", () => {
    expect(buildRollbackSteps(undefined)).toEqual({ ok: true, steps: [["nixos-rebuild", "switch", "--rollback"]] });
  });

  it("sets the system profile to a generation, then activates the profile", () => {
    expect(buildRollbackSteps("41")).toEqual({
      ok: true,
      steps: [
        ["nix-env", "--profile", "/nix/var/nix/profiles/system", "--switch-generation", "41"],
        ["/nix/var/nix/profiles/system/bin/switch-to-configuration", "switch"],
      ],
    });
  });

  it.each(["0", "-1", "4a", "41 ", "1e3", "", "1234567890", "$(id)"])("refuses generation %j", (generation) => {
    expect(buildRollbackSteps(generation)).toEqual({ ok: false, problem: `generation must be a number like 42, got ${JSON.stringify(generation)}` });
  });
});

describe("toGenerationName", () => {
  it("keeps the store path's basename", () => {
    expect(toGenerationName("/nix/store/39fz386c36f09a5zcdda2zb5d10342af-nixos-system-misato-25.05.20250601.0123456\n")).toBe("39fz386c36f09a5zcdda2zb5d10342af-nixos-system-misato-25.05.20250601.0123456");
    expect(toGenerationName("")).toBeUndefined();
  });
});
