// !unlock <host>: the holder lets go of a lock; an admin may break anyone's.
import { isAdmin, LEVELS } from "../domain/levels.ts";
import { findHost, oneHostArgs } from "./core/host-arg.ts";
import { describeHold, describeLock, describeUnlockers } from "./core/lock-view.ts";
import { defineCommand, fail, ok, text } from "./core/types.ts";

// Releases a host lock held by the caller, or by anyone when the caller is an admin.
export const unlockCommand = defineCommand({
  name: "unlock",
  aliases: [],
  summary: "release a host lock you hold (admins may release anyone's)",
  usage: "unlock <host>",
  minLevel: LEVELS.deployer,
  uses: ["inventory", "locks"],
  args: oneHostArgs,
  run: (ctx, host) => {
    const result = ctx.locks.release(host, ctx.caller.userId, isAdmin(ctx.caller.level));
    if (result.ok) {
      // Say so when an admin broke someone else's lock: the holder should learn it from the room.
      const whose = result.lock.holder === ctx.caller.userId ? "" : ` (an admin released ${result.lock.holder}'s lock)`;
      return ok(text(`🔓 Unlocked ${host}${whose}; it was ${describeHold(result.lock, ctx.now())}.`));
    }
    if (result.held) return fail(`${describeLock(result.held, ctx.now())}. ${describeUnlockers(result.held, ctx.prefix)}`);
    // Only a host that isn't locked needs to exist: a lock on a host since removed from config can still be released.
    const entry = findHost(ctx.inventory, host);
    return fail(typeof entry === "string" ? entry : `${host} is not locked.`);
  },
});
