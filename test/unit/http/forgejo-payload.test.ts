// Reading Forgejo push payloads, which hosts a push touches, and the room's message. Run alone: npx vitest run test/unit/http/forgejo-payload.test.ts
import { describe, expect, it } from "vitest";
import { renderBlocks } from "../../../bot/render.ts";
import { compilePathGlob, decidePush, splitDeploys } from "../../../http/forgejo-paths.ts";
import { pushPayload, summarizePush } from "../../../http/forgejo-payload.ts";
import { renderPush } from "../../../http/forgejo-view.ts";
import { describeFirstIssue } from "../../../http/describe-issue.ts";
import { AFTER, BEFORE, makePush, ZERO } from "./forgejo-sample.ts";

const summarize = (over: Record<string, unknown> = {}) => summarizePush(pushPayload.parse(makePush(over)));
const ROUTE = { mode: "propose" as const, hosts: ["misato", "kaji", "asuka"], paths: { misato: ["hosts/misato/**", "modules/**"], kaji: ["hosts/kaji/**"], asuka: ["hosts/asuka/**"] } };

describe("forgejo push payloads", () => {
  it("reads who pushed, how many commits, the head's subject and sha, the compare link and every changed file", () => {
    expect(summarize()).toEqual({
      repository: "team/nixos-config", branch: "main", before: BEFORE, after: AFTER, pusher: "dan", commits: 2, headSubject: "bump nixpkgs",
      compareUrl: `https://git.example.org/team/nixos-config/compare/${BEFORE}...${AFTER}`, forced: false, deleted: false,
      files: ["flake.lock", "hosts/kaji/extra.nix", "hosts/misato/default.nix", "modules/k3s.nix"],
    });
  });

  it("knows deletions, force-pushes, tags, and a pusher named only by username", () => {
    expect(summarize({ after: ZERO, commits: [], head_commit: null, total_commits: 0 })).toMatchObject({ deleted: true, commits: 0, headSubject: "" });
    expect(summarize({ forced: true })).toMatchObject({ forced: true });
    expect(summarize({ ref: "refs/tags/v1" }).branch).toBeUndefined();
    expect(summarize({ pusher: { username: "ritsuko" } }).pusher).toBe("ritsuko");
  });

  it("names the first problem of a body that is no push", () => {
    const bad = pushPayload.safeParse({ ...makePush(), after: "main" });
    expect(bad.success).toBe(false);
    expect(describeFirstIssue(bad.error!)).toMatch(/^after: expected a full hex commit id/);
    const noRepo = pushPayload.safeParse({ ...makePush(), repository: undefined });
    expect(describeFirstIssue(noRepo.error!)).toMatch(/^repository/);
  });
});

describe("hosts a push touches", () => {
  it("matches ** across directories and * within one", () => {
    expect(compilePathGlob("hosts/misato/**").test("hosts/misato/a/b.nix")).toBe(true);
    expect(compilePathGlob("hosts/misato/**").test("hosts/misatox/a.nix")).toBe(false);
    expect(compilePathGlob("*.nix").test("flake.nix")).toBe(true);
    expect(compilePathGlob("*.nix").test("hosts/a.nix")).toBe(false);
    expect(compilePathGlob("**/*.lock").test("flake.lock")).toBe(true);
  });

  it("proposes only hosts whose paths were touched, and never a force-push or a deletion", () => {
    expect(decidePush(ROUTE, summarize())).toEqual({
      kind: "proposal", hosts: ["misato", "kaji"],
      touched: { misato: ["hosts/misato/default.nix", "modules/k3s.nix"], kaji: ["hosts/kaji/extra.nix"] },
    });
    expect(decidePush({ ...ROUTE, paths: {} }, summarize()).hosts).toEqual(["misato", "kaji", "asuka"]);
    expect(decidePush(ROUTE, summarize({ forced: true })).kind).toBe("forced");
    expect(decidePush(ROUTE, summarize({ after: ZERO })).kind).toBe("deleted");
    expect(decidePush({ ...ROUTE, mode: "announce" }, summarize()).kind).toBe("announce");
    expect(decidePush({ ...ROUTE, hosts: ["asuka"] }, summarize())).toMatchObject({ kind: "announce", hosts: [] });
  });
});

describe("push messages", () => {
  const message = (over: Partial<Parameters<typeof renderPush>[0]> = {}) => {
    const summary = summarize();
    return renderBlocks(renderPush({ summary, ...decidePush(ROUTE, summary), supersededBy: null, requestedBy: null, deployHosts: [], deployAs: null, ...over })).body;
  };

  it("says who pushed what, the files per host, and how to request the deploy", () => {
    expect(message()).toBe([
      `📦 dan pushed 2 commits to team/nixos-config main: "bump nixpkgs" (${AFTER.slice(0, 12)})`,
      `https://git.example.org/team/nixos-config/compare/${BEFORE}...${AFTER}`,
      "Changed for hosts:",
      "• misato: hosts/misato/default.nix, modules/k3s.nix",
      "• kaji: hosts/kaji/extra.nix",
      `react 🚀 to request a deploy of misato, kaji at ${AFTER.slice(0, 12)}.`,
    ].join("\n"));
  });

  it("marks a superseded or requested proposal, and tells a force-push apart", () => {
    expect(message({ supersededBy: "f".repeat(40) })).toMatch(/\nSuperseded by a newer push \(ffffffffffff\); react on that one to deploy\.$/);
    expect(message({ requestedBy: "@dan:example.org" })).toMatch(/\nDeploy of misato, kaji at 3d5e8f0a9b7c requested by @dan:example\.org\.$/);
    const forced = summarize({ forced: true });
    expect(renderBlocks(renderPush({ summary: forced, ...decidePush(ROUTE, forced), supersededBy: null, requestedBy: null, deployHosts: [], deployAs: null })).body).toMatch(/^⚠️ dan force-pushed 2 commits [^]*announced, never proposed/);
  });

  it("in mode deploy, says which hosts deploy at once and proposes only those that need approval", () => {
    const summary = summarize();
    const split = splitDeploys(decidePush({ ...ROUTE, mode: "deploy" }, summary), (host) => host === "misato");
    expect(split).toEqual({ kind: "proposal", hosts: ["misato"], deployHosts: ["kaji"] });
    expect(splitDeploys(decidePush({ ...ROUTE, mode: "deploy" }, summary), () => false)).toEqual({ kind: "deploy", hosts: [], deployHosts: ["misato", "kaji"] });
    expect(splitDeploys(decidePush({ ...ROUTE, mode: "deploy" }, summarize({ forced: true })), () => false)).toMatchObject({ kind: "forced", deployHosts: [] });
    expect(message({ ...split, deployAs: "@ci:example.org" }).split("\n").slice(-2)).toEqual([
      `Deploying kaji at ${AFTER.slice(0, 12)} as @ci:example.org: no approval needed (mode deploy).`,
      `react 🚀 to request a deploy of misato at ${AFTER.slice(0, 12)}.`,
    ]);
  });
});
