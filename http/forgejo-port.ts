// What the Forgejo push route needs from the rest of magi: the configured routes and where accepted pushes go.
import type { PushKind } from "./forgejo-paths.ts";
import type { PushSummary } from "./forgejo-payload.ts";

// One configured route, POST /forgejo/<name>, with its secret read once at start and its hosts resolved.
export interface ForgejoRoute {
  name: string;
  repository: string;
  branch: string;
  room: string;
  secret: string;
  mode: "announce" | "propose" | "deploy";
  // Mode deploy: the Matrix user the deploys run as.
  deployAs?: string;
  // The hosts a push proposes (tags already resolved), in order.
  hosts: string[];
  paths: Record<string, string[]>;
}

// A push to a watched branch, as accepted.
export interface AcceptedPush {
  delivery: string;
  summary: PushSummary & { branch: string };
  kind: PushKind;
  hosts: string[];
  touched: Record<string, string[]>;
}

// Takes a push; returns once it is committed (throws when it could not be). stored is false for a replayed delivery.
export interface PushSink {
  accept(route: ForgejoRoute, push: AcceptedPush): { stored: boolean };
}

// The Forgejo routes' configuration and sink.
export interface ForgejoDeps {
  // Looked up per request, so a reload's routes apply to the next delivery.
  routes: Pick<ReadonlyMap<string, ForgejoRoute>, "get">;
  sink: PushSink;
}
