import { describe, expect, it } from "vitest";
import { mayRedactOthersIn } from "../../../bot/redact-power.ts";

const ANN = "@ann:example.org";
const BEN = "@ben:example.org";
const CAT = "@cat:example.org";
const create = (room_version: string, additional_creators?: string[]) => ({ sender: ANN, content: { room_version, ...(additional_creators ? { additional_creators } : {}) } });

describe("who may redact other people's events", () => {
  it("in room version 12 counts the creator and additional creators, who are not in m.room.power_levels", () => {
    const state = { create: create("12", [BEN]), powerLevels: { content: { users: { [CAT]: 50 }, redact: 50 } } };
    expect([ANN, BEN, CAT, "@dee:example.org"].map((u) => mayRedactOthersIn(state, u))).toEqual([true, true, true, false]);
    expect(mayRedactOthersIn({ ...state, create: create("org.matrix.hydra.11") }, ANN)).toBe(true);
  });

  it("before version 12 goes by power level alone, with redact defaulting to 50 and users_default to 0", () => {
    const state = { create: create("10"), powerLevels: { content: { users: { [BEN]: 100, [CAT]: 49 } } } };
    expect([ANN, BEN, CAT].map((u) => mayRedactOthersIn(state, u))).toEqual([false, true, false]);
    expect(mayRedactOthersIn({ create: create("10"), powerLevels: { content: { users_default: 10, redact: 10 } } }, CAT)).toBe(true);
  });

  it("without a power levels event lets only the creator", () => {
    expect([ANN, BEN].map((u) => mayRedactOthersIn({ create: create("10") }, u))).toEqual([true, false]);
  });
});
