// The config holder and the views readers created at start hold: a reload is seen at once, a piece taken before it is kept.
import { describe, expect, it } from "vitest";
import { createConfigHolder } from "../../../bot/config-holder.ts";
import { assembleLiveConfig, resolveCheckedInventory, viewLiveConfig } from "../../../bot/live-config.ts";
import type { RoomDirectory } from "../../../bot/room-directory.ts";
import { parseConfig } from "../../../config/load-config.ts";
import type { Config } from "../../../config/schema.ts";
import { MINIMAL_YAML } from "../config/minimal-config.ts";

const rooms = (ids: string[]): RoomDirectory => ({ policyFor: (id) => (ids.includes(id) ? { maxLevel: 4, replyMsgtype: "m.text" } : undefined), roomIds: () => ids });

async function live(extra: string, roomIds = ["!room:localhost"]) {
  const parsed = parseConfig(`${MINIMAL_YAML}${extra}`, "/etc/magi");
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  const checked = await resolveCheckedInventory(parsed.config as Config);
  if ("problems" in checked) throw new Error(checked.problems.join("\n"));
  return assembleLiveConfig(parsed.config, checked.inventory, rooms(roomIds));
}

describe("config holder", () => {
  it("replace returns what it replaced, and current is the new version", () => {
    const holder = createConfigHolder({ version: 1 });
    expect(holder.replace({ version: 2 })).toEqual({ version: 1 });
    expect(holder.current()).toEqual({ version: 2 });
  });

  it("views made at start see hosts, levels, rooms and approval rules of the version swapped in later", async () => {
    const holder = createConfigHolder(await live('access:\n  users:\n    "@ann:localhost": communication\nhosts:\n  nas:\n    address: nas.lan\n'));
    const view = viewLiveConfig(holder);
    const taken = view.inventory.get("nas")!;
    expect([...view.inventory.keys()]).toEqual(["nas"]);
    expect(view.resolveLevel("@ann:localhost")).toBe(1);
    expect(view.policyFor("wake", ["nas"])).toBeUndefined();
    expect(view.rooms.policyFor("!other:localhost")).toBeUndefined();

    holder.replace(await live(
      'access:\n  users:\n    "@ann:localhost": deployer\nhosts:\n  nas:\n    address: 10.0.0.5\n  kaji:\n    address: kaji.lan\napprovals:\n  - command: wake\n    approvals: 1\n',
      ["!room:localhost", "!other:localhost"],
    ));
    expect([...view.inventory.keys()]).toEqual(["nas", "kaji"]);
    expect(view.inventory.size).toBe(2);
    expect(view.inventory.get("nas")!.address).toBe("10.0.0.5");
    expect(view.resolveLevel("@ann:localhost")).toBe(3);
    expect(view.policyFor("wake", ["nas"])).toMatchObject({ approvals: 1 });
    expect(view.rooms.roomIds()).toEqual(["!room:localhost", "!other:localhost"]);
    // What a running job took before the reload stays as it was.
    expect(taken.address).toBe("nas.lan");
  });
});
