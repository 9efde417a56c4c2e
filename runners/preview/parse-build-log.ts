// Reads `nix build --log-format internal-json` stderr: "@nix {…}" lines whose activities (start/stop) and
// results say how many derivations are built and paths fetched, and whose messages carry the errors.

// nix's activity types (libutil/logging.hh) that progress is counted from.
const ACT_COPY_PATHS = 103;
const ACT_BUILDS = 104;
const ACT_BUILD = 105;
// nix's result types: a build's log line, and done/expected/running/failed counts of an activity.
const RES_BUILD_LOG_LINE = 101;
const RES_PROGRESS = 105;
// Message levels at or below this are errors and warnings (lvlError 0, lvlWarn 1).
const LEVEL_WARN = 1;

// What a build has done so far, and what it said that a person may need.
export interface BuildProgress {
  built: number;
  toBuild: number;
  fetched: number;
  toFetch: number;
  // Errors, warnings, build log lines and plain (non-JSON) lines, newest last, at most `keep` of them.
  tail: string[];
}

type Event = { action?: string; id?: number; type?: number; fields?: unknown[]; level?: number; msg?: string; text?: string };

// Removes terminal colours nix puts into messages.
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}

// Creates a reader fed one stderr line at a time; progress() is the state after the lines so far. onText gets every
// line a person would read (errors, build output, "building '…drv'"), for the job's log.
export function createBuildLogReader(keep = 20, onText?: (line: string) => void) {
  const types = new Map<number, number>();
  const state: BuildProgress = { built: 0, toBuild: 0, fetched: 0, toFetch: 0, tail: [] };
  const remember = (line: string) => {
    for (const part of stripAnsi(line).split("\n")) {
      if (!part.trim()) continue;
      state.tail.push(part.trimEnd());
      onText?.(part.trimEnd());
    }
    if (state.tail.length > keep) state.tail.splice(0, state.tail.length - keep);
  };
  const count = (event: Event) => {
    const [done, expected] = (event.fields ?? []).map(Number);
    if (!Number.isFinite(done) || !Number.isFinite(expected)) return;
    const type = types.get(event.id ?? -1);
    if (type === ACT_BUILDS) [state.built, state.toBuild] = [done!, expected!];
    if (type === ACT_COPY_PATHS) [state.fetched, state.toFetch] = [done!, expected!];
  };
  return {
    push(line: string): void {
      if (!line.startsWith("@nix ")) return void (line.trim() && remember(line));
      let event: Event;
      try {
        event = JSON.parse(line.slice(5)) as Event;
      } catch {
        return remember(line);
      }
      if (event.action === "start" && typeof event.id === "number" && typeof event.type === "number") {
        types.set(event.id, event.type);
        if (event.type === ACT_BUILD && event.text) onText?.(stripAnsi(event.text));
      }
      else if (event.action === "stop" && typeof event.id === "number") types.delete(event.id);
      else if (event.action === "msg" && (event.level ?? 99) <= LEVEL_WARN && event.msg) remember(event.msg);
      else if (event.action === "result" && event.type === RES_PROGRESS) count(event);
      else if (event.action === "result" && event.type === RES_BUILD_LOG_LINE && typeof event.fields?.[0] === "string") remember(event.fields[0]);
    },
    progress: (): BuildProgress => ({ ...state, tail: [...state.tail] }),
  };
}

// The progress in words: "214/530 derivations, 12/40 paths fetched".
export function describeBuildProgress(p: BuildProgress): string {
  const parts = [];
  if (p.toBuild > 0) parts.push(`${p.built}/${p.toBuild} derivations`);
  if (p.toFetch > 0) parts.push(`${p.fetched}/${p.toFetch} paths fetched`);
  return parts.length > 0 ? parts.join(", ") : "evaluating";
}
