import { describe, expect, it } from "vitest";
import { prepareCommand } from "../../../commands/core/dispatch.ts";
import type { Output } from "../../../commands/core/types.ts";
import type { Level } from "../../../domain/levels.ts";
import type { HostEntry } from "../../../runners/inventory.ts";
import type { HostStatus, StatusPort } from "../../../runners/status/types.ts";
import { makeContext } from "./make-context.ts";

const SELECTOR_MESSAGE = "expected a host name from !hosts (lower-case letters, digits and dashes), a @tag, a,b or all";
const DEPLOY_USAGE = "<host|@tag|a,b|all> [ref] [--dry-run|--boot|--test]";

// A port that reports every host as unreachable and remembers whom it was asked about.
function recordingPort(asked: string[][]): StatusPort {
  return {
    collect: async (hosts: readonly HostEntry[]) => {
      asked.push(hosts.map((h) => h.name));
      return hosts.map((h): HostStatus => (h.ssh ? { host: h.name, reach: "unreachable", note: "connection refused", elapsedMs: 3 } : { host: h.name, reach: "no-ssh" }));
    },
  };
}

async function run(body: string, asked: string[][], level: Level = 1): Promise<Output> {
  const { ctx } = makeContext(level, { status: recordingPort(asked) });
  const prepared = prepareCommand(body, ctx, () => {});
  if (prepared.decision === "ignored") throw new Error("ignored");
  return prepared.decision === "allowed" ? (await prepared.run()).output : prepared.output;
}

describe("!status", () => {
  it("refuses unknown names, addresses and shell text before asking the port anything", async () => {
    const asked: string[][] = [];
    for (const [body, message] of [
      ["!status nobody", "unknown host nobody: use a name from !hosts, a @tag, or all"],
      ["!status 10.0.0.11", `${SELECTOR_MESSAGE}. Usage: !status [host|@tag|a,b|all]`],
      ["!status misato;reboot", `${SELECTOR_MESSAGE}. Usage: !status [host|@tag|a,b|all]`],
      ["!status $(id)", `${SELECTOR_MESSAGE}. Usage: !status [host|@tag|a,b|all]`],
      ["!status ../etc", `${SELECTOR_MESSAGE}. Usage: !status [host|@tag|a,b|all]`],
      ["!status @K3S", `${SELECTOR_MESSAGE}. Usage: !status [host|@tag|a,b|all]`],
      ["!status misato,", `${SELECTOR_MESSAGE}. Usage: !status [host|@tag|a,b|all]`],
      ["!status @nope", "no host has the tag @nope"],
      ["!status misato reboot", "expected at most one argument. Usage: !status [host|@tag|a,b|all]"],
    ]) {
      const output = await run(body!, asked);
      expect(output).toEqual({ ok: false, blocks: [{ kind: "text", text: message }] });
    }
    expect(asked).toEqual([]);
  });

  it("refuses a malformed selector with the same words as !deploy", async () => {
    const asked: string[][] = [];
    const status = await run("!status ../etc", asked, 3);
    const deploy = await run("!deploy ../etc", asked, 3);
    expect(status).toEqual({ ok: false, blocks: [{ kind: "text", text: `${SELECTOR_MESSAGE}. Usage: !status [host|@tag|a,b|all]` }] });
    expect(deploy).toEqual({ ok: false, blocks: [{ kind: "text", text: `${SELECTOR_MESSAGE}. Usage: !deploy ${DEPLOY_USAGE}` }] });
    expect(asked).toEqual([]);
  });

  it("shows the fleet as a table, one row per host in inventory order", async () => {
    const asked: string[][] = [];
    const output = await run("!status", asked);
    expect(asked).toEqual([["misato", "nas"]]);
    expect(output.blocks[0]).toMatchObject({ kind: "text", text: expect.stringMatching(/^2 hosts in \d+\.\d s: 1 unreachable, 1 no ssh configured$/) });
    expect(output.blocks[1]).toEqual({
      kind: "table",
      columns: ["host", "state", "up", "load", "nixos", "problems"],
      rows: [["misato", "unreachable", "—", "—", "—", "connection refused"], ["nas", "no ssh configured", "—", "—", "—", "—"]],
    });
  });

  it("shows one host, by name or by a tag that matches only it, as a detail view", async () => {
    const asked: string[][] = [];
    expect((await run("!status nas", asked)).blocks).toEqual([{ kind: "text", text: "nas: no ssh configured — magi has no SSH settings for it, so it cannot check it" }]);
    expect((await run("!status @k3s", asked)).blocks).toEqual([{ kind: "text", text: "misato: unreachable — connection refused" }]);
    expect(asked).toEqual([["nas"], ["misato"]]);
  });
});
