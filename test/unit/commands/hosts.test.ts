// !hosts: the inventory with each host's pinned key, short fingerprint and where the pin comes from (config or magi's database).
import { describe, expect, it } from "vitest";
import { prepareCommand } from "../../../commands/core/dispatch.ts";
import { createEnrollPort } from "../../../runners/enroll/enroll-port.ts";
import type { HostEntry } from "../../../runners/inventory.ts";
import { createHostKeyStore } from "../../../storage/host-key-store.ts";
import { openDatabase } from "../../../storage/open-database.ts";
import { makeContext } from "./make-context.ts";

const CONFIG_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPA1hDYS+yqSW2b8LlMhG2aoj9TxeE9+kxXRg2PAkL0i root@misato";
const ENROLLED_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAKhyCB2Gu+Go6Y4b8nXWRdgyh5qvxkX+3s0Iw/3sLdM";
const target = (name: string, hostKey: string) => ({ name, address: `${name}.lan`, port: 22, user: "root", identityFile: "/k", hostKey, sudo: false });

describe("!hosts", () => {
  it("shows each host's key pin: config's, magi's own with who enrolled it and when, none yet, or no ssh", async () => {
    const hosts: HostEntry[] = [
      { name: "misato", address: "misato.lan", tags: ["k3s"], ssh: target("misato", CONFIG_KEY) },
      { name: "vps", address: "vps.lan", tags: [], ssh: target("vps", ENROLLED_KEY) },
      { name: "kaji", address: "kaji.lan", tags: [], ssh: target("kaji", "") },
      { name: "nas", address: "nas.lan", tags: ["storage"] },
    ];
    const inventory = new Map(hosts.map((h) => [h.name, h]));
    const store = createHostKeyStore(openDatabase(":memory:"));
    store.pin({ host: "vps", keyLine: ENROLLED_KEY, fingerprint: "SHA256:HMth7A118XXEEsV3ep+x21aUQ/XwhkleTGpUt6gdpF0", pinnedAt: Date.UTC(2026, 10, 29, 14, 2), pinnedBy: "@dan:example.org" });
    // A stale row magi pinned before config pinned misato: config wins, and !hosts says so.
    store.pin({ host: "misato", keyLine: ENROLLED_KEY, fingerprint: "SHA256:HMth7A118XXEEsV3ep+x21aUQ/XwhkleTGpUt6gdpF0", pinnedAt: 0, pinnedBy: "@old:example.org" });
    const enroll = createEnrollPort("enrollment is not configured", inventory, store, new Map([["misato", CONFIG_KEY]]));
    const { ctx } = makeContext(1, { inventory, enroll });
    const prepared = prepareCommand("!hosts", ctx, () => {});
    if (prepared.decision !== "allowed") throw new Error(`expected allowed, got ${prepared.decision}`);
    const { output } = await prepared.run();
    expect(output.blocks).toEqual([{
      kind: "table",
      columns: ["host", "address", "tags", "host key"],
      rows: [
        ["misato", "misato.lan", "@k3s", "SHA256:jrrXKKN+HKES… (config)"],
        ["vps", "vps.lan", "", "SHA256:HMth7A118XXE… (enrolled by @dan:example.org 2026-11-29 14:02)"],
        ["kaji", "kaji.lan", "", "not pinned (!enroll)"],
        ["nas", "nas.lan", "@storage", "no ssh"],
      ],
    }]);
  });
});
