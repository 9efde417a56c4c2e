// The access model: who someone is (by full Matrix ID only) and whether their level lets them run a command.
import { capEcho } from "./echo.ts";
import { compileGlob } from "./glob.ts";
import { describeLevel, type Level } from "../../domain/levels.ts";
import type { CommandSpec } from "./types.ts";

// Who has which level: exact IDs first, then glob patterns for bridged ghosts.
export interface AccessRules {
  users: Record<string, Level>;
  patterns: { glob: string; level: Level }[];
}

// Resolves levels from the rules; display names never enter into it.
export function createLevelResolver(rules: AccessRules): (userId: string) => Level {
  const patterns = rules.patterns.map((p) => ({ regex: compileGlob(p.glob), level: p.level }));
  return (userId) => {
    const exact = rules.users[userId];
    if (exact !== undefined) return exact;
    let best: Level = 0;
    for (const p of patterns) if (p.regex.test(userId) && p.level > best) best = p.level;
    return best;
  };
}

// A room may cap the level it grants, so a public room can't be used to deploy.
export function capLevel(level: Level, roomMax: Level): Level {
  return (level < roomMax ? level : roomMax) as Level;
}

// What was asked, when its arguments parsed: the level can depend on them (a real deploy vs a dry run).
export interface AccessRequest {
  args: unknown;
  // The argument words as typed, echoed (capped) in a denial that depends on them.
  words: readonly string[];
}

// The level a request needs: the command's own, or what its arguments call for.
export function levelNeeded(spec: CommandSpec, request?: AccessRequest): Level {
  const byArgs = request && spec.levelFor ? spec.levelFor(request.args) : undefined;
  return byArgs !== undefined && byArgs > spec.minLevel ? byArgs : spec.minLevel;
}

// The one access check, made by the dispatcher from the command's declaration (and by !help to list what one may run).
export function checkAccess(spec: CommandSpec, level: Level, prefix: string, request?: AccessRequest): { allowed: true } | { allowed: false; message: string } {
  const needed = levelNeeded(spec, request);
  if (level >= needed) return { allowed: true };
  const asked = request && spec.levelFor && request.words.length > 0 ? ` ${capEcho(request.words.join(" "))}` : "";
  return {
    allowed: false,
    message: `${prefix}${spec.name}${asked} needs level ${describeLevel(needed)}; you have ${describeLevel(level)}.`,
  };
}
