// Replies that read well in a terminal and after mautrix-slack: no plain line wider than MAX_LINE, nothing lost.
import { describe, expect, it } from "vitest";
import { prepareCommand } from "../../../commands/core/dispatch.ts";
import type { Output } from "../../../commands/core/types.ts";
import type { CommandContext } from "../../../commands/core/types.ts";
import { MAX_LINE, renderBlocks } from "../../../bot/render.ts";
import type { HostStatus } from "../../../runners/status/types.ts";
import type { HostEntry } from "../../../runners/inventory.ts";
import { COMMANDS } from "../../../commands/registry.ts";
import { makeContext } from "../commands/make-context.ts";

async function runAs(ctx: CommandContext, body: string): Promise<Output> {
  const prepared = prepareCommand(body, ctx, () => {});
  if (prepared.decision !== "allowed") throw new Error(`not allowed: ${body}`);
  return (await prepared.run()).output;
}

function expectNarrow(body: string): void {
  const wide = body.split("\n").filter((l) => l.length > MAX_LINE);
  expect(wide).toEqual([]);
}

const MISMATCH = "host key of casper changed: expected SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU, got SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

function up(host: string, failed: string[]): HostStatus {
  return {
    host, reach: "up", elapsedMs: 40, diskThresholdPercent: 90,
    uptime: { kind: "ok", value: { uptimeSeconds: 3 * 86_400 + 4 * 3600, load: [0.42, 0.3, 0.2] } },
    nixos: { kind: "ok", value: { version: "24.11.20241201.abcdef0" } },
    system: { kind: "ok", value: { current: "/nix/store/a-system", booted: "/nix/store/b-system", generation: 412 } },
    failedUnits: { kind: "ok", value: failed.map((unit) => ({ unit, sub: "failed", description: unit })) },
    disks: { kind: "ok", value: [{ mount: "/var", source: "/dev/sda2", percent: 93 }] },
    zfs: { kind: "ok", value: [{ name: "tank", state: "DEGRADED" }] },
    checks: [{ name: "k8s-nodes", ok: false, note: "exit 1" }],
  };
}

describe("rendering for narrow screens", () => {
  it("lists every command an admin may run, each usage and summary, in lines of at most 100 columns", async () => {
    const { ctx } = makeContext(4);
    const { body, formattedBody } = renderBlocks((await runAs(ctx, "!help")).blocks);
    expectNarrow(body);
    const flat = body.replace(/\n\s*/g, " ");
    for (const c of COMMANDS) {
      expect(body).toContain(`!${c.usage}`);
      expect(flat).toContain(c.summary);
    }
    // Slack has no tables: mautrix-slack keeps lists, so a wide table goes out as one.
    expect(formattedBody).not.toContain("<table>");
    expect(formattedBody).toContain("<li><b>!deploy &lt;host|@tag|a,b|all&gt; [ref] [--dry-run|--boot|--test]</b><br>rebuild hosts");
  });

  it("shows a 5-host fleet status with every cell, in lines of at most 100 columns", async () => {
    const statuses: HostStatus[] = [
      up("misato", ["nginx.service", "restic-backups-nas.service"]),
      up("balthasar", []),
      { host: "casper", reach: "unreachable", note: MISMATCH, elapsedMs: 10 },
      { host: "melchior", reach: "unreachable", note: "connection refused", elapsedMs: 3 },
      { host: "vps", reach: "no-ssh" },
    ];
    const inventory = new Map<string, HostEntry>(statuses.map((s) => [s.host, { name: s.host, address: "10.0.0.1", tags: [] }]));
    const { ctx } = makeContext(1, { inventory, status: { collect: async () => statuses } });
    const output = await runAs(ctx, "!status");
    const { body } = renderBlocks(output.blocks);
    expectNarrow(body);
    const table = output.blocks[1];
    if (table?.kind !== "table") throw new Error("expected a table");
    const flat = body.replace(/\n\s*/g, " ");
    for (const row of table.rows) for (const cell of row) expect(flat).toContain(cell);
    expect(body.split("\n").slice(0, 3)).toEqual([
      expect.stringMatching(/^5 hosts in \d+\.\d s: 2 attention, 2 unreachable, 1 no ssh configured$/),
      "• misato",
      expect.stringMatching(/^  state: attention · up: 3d 4h · load: 0\.42 · nixos: 24\.11\.20241201\.abcdef0 gen 412 · problems:/),
    ]);
    expect(flat).toContain(`• casper state: unreachable · up: — · load: — · nixos: — · problems: ${MISMATCH}`);
  });

  it("shows !jobs with several jobs, every cell, in lines of at most 100 columns", async () => {
    const { ctx, jobs } = makeContext(4);
    for (const host of ["misato", "nas", "misato"]) {
      jobs.submit({
        command: "wake", host, requester: "@slack_t0123abcd-u0456efgh:example.org", roomId: "!r:x", mutating: true, timeoutMs: 60_000,
        work: (io) => (io.phase("sending magic packet"), new Promise(() => {})),
      });
    }
    const output = await runAs(ctx, "!jobs");
    const { body } = renderBlocks(output.blocks);
    expectNarrow(body);
    const table = output.blocks[0];
    if (table?.kind !== "table") throw new Error("expected a table");
    expect(table.rows).toHaveLength(3);
    const flat = body.replace(/\n\s*/g, " ");
    for (const row of table.rows) for (const cell of row.slice(1)) expect(flat).toContain(cell);
    expect(flat).toContain("• job 1 action: wake misato · requested by: @slack_t0123abcd-u0456efgh:example.org · state: running (sending magic packet)");
    expect(flat).toContain("• job 3 action: wake misato · requested by: @slack_t0123abcd-u0456efgh:example.org · state: queued");
  });

  it("breaks a value longer than a line at spaces, and leaves a narrow two-column table aligned", () => {
    const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const { body } = renderBlocks([{ kind: "table", columns: ["name", "what"], rows: [["a", long]] }]);
    expectNarrow(body);
    expect(body.replace(/\n\s*/g, " ")).toBe(`• a ${long}`);
    expect(renderBlocks([{ kind: "table", columns: ["host", "tags"], rows: [["misato", "@k3s"]] }])).toEqual({
      body: "```\nhost    tags\nmisato  @k3s\n```",
      formattedBody: "<pre><code>host    tags\nmisato  @k3s</code></pre>",
    });
  });
});
