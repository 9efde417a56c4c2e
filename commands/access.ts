// The access model: who someone is (by full Matrix ID only) and whether their level lets them run a command.
import { compileGlob } from "./glob.ts";
import { describeLevel, type Level } from "./levels.ts";
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

// The one access check, made by the dispatcher from the command's declaration.
export function checkAccess(spec: CommandSpec, level: Level, prefix: string): { allowed: true } | { allowed: false; message: string } {
  if (level >= spec.minLevel) return { allowed: true };
  return {
    allowed: false,
    message: `${prefix}${spec.name} needs level ${describeLevel(spec.minLevel)}; you have ${describeLevel(level)}.`,
  };
}
