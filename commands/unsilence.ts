// !unsilence <id>: expires an Alertmanager silence, or one magi holds; the alert messages that showed it no longer do.
import { z } from "zod";
import { LEVELS } from "../domain/levels.ts";
import { HELD_SILENCE_PATTERN } from "../runners/alertmanager/held-silences.ts";
import { SILENCE_ID_PATTERN } from "../runners/alertmanager/silences.ts";
import { defineCommand, fail, ok, text } from "./core/types.ts";

// One silence ID, as !silences shows it.
const unsilenceArgs = z
  .array(z.string())
  .length(1, "expected one silence ID (as !silences shows it)")
  .transform(([id]) => (id ?? "").toLowerCase())
  .refine((id) => SILENCE_ID_PATTERN.test(id) || HELD_SILENCE_PATTERN.test(id), "expected a silence ID like 6f1c2d3e-0a1b-4c5d-8e9f-001122334455 or magi-0a1b2c3d4e5f (as !silences shows it)");

// Expires a silence now.
export const unsilenceCommand = defineCommand({
  name: "unsilence",
  aliases: [],
  summary: "end a silence now",
  usage: "unsilence <silence id>",
  minLevel: LEVELS.deployer,
  uses: ["silences"],
  args: unsilenceArgs,
  run: async (ctx, id) => {
    const result = await ctx.silences.expire(id);
    if (!result.ok) return fail(result.message);
    const where = result.groupName ? ` ${result.groupName} alerts again.` : "";
    return ok(text(`🔔 Silence ${id} expired.${where}`));
  },
});
