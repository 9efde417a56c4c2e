// What the job queue tells the outside world (the bot's progress messages) as jobs move.
import type { JobRecord } from "./types.ts";

// One change to one job; line events carry output, state events carry the new record.
export type JobEvent =
  | { kind: "state"; job: JobRecord }
  | { kind: "line"; job: JobRecord; line: string };

// Receives job events; must not throw.
export type JobListener = (event: JobEvent) => void;
