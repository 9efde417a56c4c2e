// What the ping routes need from the rest of magi: which checks exist, how pings authenticate, and where they go.
import type { NewPing } from "../storage/check-store.ts";

// Takes a ping for a configured check; returns once it is committed (throws when it could not be).
export interface PingSink {
  accept(check: string, ping: NewPing): void;
}

// The ping routes' configuration and sink.
export interface PingDeps {
  byUuid: ReadonlyMap<string, string>;
  bySlug: ReadonlyMap<string, string>;
  // The ping key for slug URLs; undefined when no slug check is configured.
  pingKey: string | undefined;
  // A bearer token every ping must also carry, when configured.
  bearer: string | undefined;
  bodyLimit: number;
  sink: PingSink;
  now(): number;
}
