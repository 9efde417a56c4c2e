import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../commands/registry.ts";

describe("README", () => {
  const readme = readFileSync("README.md", "utf8");

  it("lists every command with its level", () => {
    for (const command of COMMANDS) {
      // The name must end at a backtick or space, so !lock doesn't take the !locks row.
      const row = readme.split("\n").find((line) => [`| \`!${command.name}`, ` / \`!${command.name}`].some((start) => line.includes(`${start}\``) || line.includes(`${start} `)));
      expect(row, `README has no row for !${command.name}`).toBeDefined();
      expect(row).toContain(`| ${command.minLevel} |`);
    }
  });

  it("gives the run and test commands", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("bash .ci/run");
  });
});
