// Runs a group of checks that need programs or files this machine may lack (nix-instantiate,
// systemd-analyze, nixpkgs' lib). Missing on a developer's machine, the group is skipped with a
// title saying what to install; missing under CI=true, one test fails saying the same, so CI
// cannot pass without running the checks.
import { existsSync } from "node:fs";
import { describe, it } from "vitest";
import { findOnPath } from "../../../config/find-on-path.ts";

// A program looked up on PATH, or an absolute file that must exist, and how to get it.
export interface Need {
  program?: string;
  file?: string;
  install: string;
}

// Says which needs are unmet, as one sentence per need.
function listMissing(needs: Need[]): string[] {
  return needs.flatMap((need) => {
    if (need.program && !findOnPath(need.program)) return [`${need.program} is not on PATH (${need.install})`];
    if (need.file && !existsSync(need.file)) return [`${need.file} does not exist (${need.install})`];
    return [];
  });
}

// describe(title, body) when every need is met; otherwise skipped, or failing under CI=true.
export function describeWithTools(title: string, needs: Need[], body: () => void): void {
  const missing = listMissing(needs);
  // nix-instantiate and a magi start take seconds on a busy machine.
  if (missing.length === 0) return void describe(title, { timeout: 60_000 }, body);
  if (process.env.CI === "true") {
    describe(title, () => it("has what these checks need", () => { throw new Error(`CI must install: ${missing.join("; ")}`); }));
    return;
  }
  // The body is not run: it may call the missing program while collecting its tests.
  describe(title, () => it.skip(`skipped: ${missing.join("; ")}`, () => {}));
}
