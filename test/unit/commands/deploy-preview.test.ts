// The preview step runs each host's build as a job over the real queue and SQLite: listed, logged, and never behind the host's lock.
import { describe, expect, it } from "vitest";
import { buildPreviews } from "../../../commands/core/deploy-preview.ts";
import { LEVELS } from "../../../domain/levels.ts";
import { makeContext } from "./make-context.ts";

describe("preview jobs", () => {
  it("builds as a job that does not wait for a deploy holding the host's lock", async () => {
    const { ctx, jobs } = makeContext(LEVELS.deployer);
    let release = () => {};
    const deploy = jobs.submit({
      command: "deploy", host: "misato", requester: "@kim:example.org", roomId: ctx.roomId, mutating: true, timeoutMs: 60_000,
      work: () => new Promise((resolve) => (release = () => resolve({ ok: true, summary: "done" }))),
    });
    const shown: string[] = [];
    const previews = await buildPreviews({ ...ctx, progress: (blocks) => shown.push(JSON.stringify(blocks)) }, ["misato"], { sha: "3f9a1c2b7d0e".padEnd(40, "0"), subject: "bump nixpkgs" });
    expect(jobs.get(deploy.job.id)!.state).toBe("running");
    expect(previews).toEqual([{ ok: false, host: "misato", problem: "deploys are not configured (the deploy section of config.yaml)", tail: [] }]);
    const preview = jobs.list(10).find((j) => j.command === "preview")!;
    expect(preview).toMatchObject({ host: "misato", requester: "@dan:example.org", mutating: false, state: "failed", summary: "build failed: deploys are not configured (the deploy section of config.yaml)" });
    expect(shown.at(-1)).toContain(`misato: build failed (!log ${preview.id})`);
    release();
    await jobs.waitFor(deploy.job.id);
  });
});
