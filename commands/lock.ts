// !lock <host> <reason...>: a sticky lock that tells everyone (and the deploy command) to keep off a host.
import { z } from "zod";
import { LEVELS } from "../domain/levels.ts";
import { hostNameToken } from "./core/args.ts";
import { findHost } from "./core/host-arg.ts";
import { describeLock, describeUnlockers } from "./core/lock-view.ts";
import { defineCommand, fail, ok, text } from "./core/types.ts";

// Long enough for a sentence, short enough for a table cell.
const MAX_REASON = 200;

// A host name, then the reason as the rest of the words; control characters would garble the room and the table.
const lockArgs = z
  .array(z.string())
  .min(1, "expected a host name and a reason")
  .transform(([host, ...words]) => ({ host: host ?? "", reason: words.join(" ").trim() }))
  .pipe(
    z.object({
      host: hostNameToken,
      reason: z
        .string()
        .min(1, "say why you are locking it: a reason is required")
        .max(MAX_REASON, `the reason is too long (at most ${MAX_REASON} characters)`)
        .regex(/^[^\p{Cc}]*$/u, "the reason may not contain control characters"),
    }),
  );

// Locks a host until its holder or an admin unlocks it.
export const lockCommand = defineCommand({
  name: "lock",
  aliases: [],
  summary: "lock a host with a reason, so nobody deploys to it until you unlock it",
  usage: "lock <host> <reason...>",
  minLevel: LEVELS.deployer,
  uses: ["inventory", "locks"],
  args: lockArgs,
  run: (ctx, { host, reason }) => {
    const entry = findHost(ctx.inventory, host);
    if (typeof entry === "string") return fail(entry);
    const result = ctx.locks.acquire(host, ctx.caller.userId, reason, ctx.now());
    if (!result.ok) return fail(`${describeLock(result.held, ctx.now())}. ${describeUnlockers(result.held, ctx.prefix)}`);
    return ok(text(`🔒 Locked ${host}: ${reason}. It stays locked until you or an admin run ${ctx.prefix}unlock ${host}.`));
  },
});
