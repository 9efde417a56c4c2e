// `magi do audit [n]` and `magi do jobs` while magi is not running: the same declarations, access check and views,
// read from the database opened read-only. Only these read-only commands; nothing is written, so nothing is audited.
import { capLevel, createLevelResolver } from "../commands/core/access.ts";
import { prepareCommand } from "../commands/core/dispatch.ts";
import { COMMANDS } from "../commands/registry.ts";
import type { CommandContext } from "../commands/core/types.ts";
import type { Config } from "../config/schema.ts";
import { LEVELS, MAX_LEVEL } from "../domain/levels.ts";
import { createAuditLog } from "../storage/audit-log.ts";
import { createJobStore } from "../storage/job-store.ts";
import { openDatabaseReadOnly } from "../storage/open-read-only.ts";
import { renderForTerminal } from "./cli-render.ts";

// The commands `magi do` may answer from the database alone.
export const OFFLINE_COMMANDS: readonly string[] = ["audit", "jobs"];

// The line that says where the answer came from.
export const OFFLINE_NOTE = "(magi is not running; read from the database)";

// The caller a Unix user is, as the running magi would see them: cli.users, the access rules, the cli room's cap.
function findCaller(config: Config, unixUser: string) {
  const matrixId = config.cli.users[unixUser];
  if (matrixId === undefined) return { userId: `unix:${unixUser}`, level: LEVELS.unknown };
  const room = config.rooms[config.cli.room ?? Object.keys(config.rooms)[0] ?? ""];
  return { userId: matrixId, level: capLevel(createLevelResolver(config.access)(matrixId), room?.max_level ?? MAX_LEVEL) };
}

// Answers words (an offline command) for unixUser; resolves with what to print and the exit code.
export async function answerOffline(config: Config, unixUser: string, words: string[]): Promise<{ code: number; text: string }> {
  const opened = openDatabaseReadOnly(config.storage.path);
  if ("problem" in opened) return { code: 1, text: `magi is not running, and ${opened.problem}` };
  const { db } = opened;
  try {
    const jobs = createJobStore(db);
    // Only what audit and jobs read; any other port is absent, since only OFFLINE_COMMANDS are reachable here.
    const ctx = {
      caller: findCaller(config, unixUser), roomId: "", prefix: config.matrix.command_prefix, now: () => Date.now(),
      commands: COMMANDS.filter((c) => OFFLINE_COMMANDS.includes(c.name)), audit: createAuditLog(db), jobs,
    } as unknown as CommandContext;
    const prepared = prepareCommand(`${ctx.prefix}${words.join(" ")}`, ctx, () => undefined);
    if (prepared.decision === "ignored") return { code: 2, text: `magi do: nothing to run in "${words.join(" ")}"` };
    if (prepared.decision !== "allowed") return { code: 1, text: `${renderForTerminal(prepared.output.blocks)}\n${OFFLINE_NOTE}` };
    const { output, errorId } = await prepared.run();
    const text = errorId ? `magi do: reading the database failed (${errorId})` : renderForTerminal(output.blocks);
    return { code: output.ok && !errorId ? 0 : 1, text: `${text}\n${OFFLINE_NOTE}` };
  } finally {
    db.close();
  }
}
