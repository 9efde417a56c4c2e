// Sets up Forgejo push intake: the routes (secrets read, tags resolved), the push store the intake commits to, and,
// once magi has synced, the poster of push messages and the 🚀 handler.
import type Database from "better-sqlite3";
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { Config } from "../config/schema.ts";
import { readSecret } from "../http/check-credentials.ts";
import type { ForgejoDeps, ForgejoRoute } from "../http/forgejo-port.ts";
import { selectHosts, type Inventory } from "../runners/inventory.ts";
import { createPushStore } from "../storage/push-store.ts";
import { createAlertPoster } from "./alert-poster.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { startPushPosting, type PushView } from "./post-pushes.ts";
import { createPushReactions, type PushReactionDeps } from "./push-reactions.ts";

// The hosts a route proposes, tags resolved, in the order given, once each.
function resolveProposed(inventory: Inventory, matchers: string[], route: string): string[] {
  const hosts = matchers.flatMap((m) => {
    const selected = selectHosts(inventory, m);
    if ("problem" in selected) throw new Error(`forgejo.routes.${route}.proposes: ${selected.problem}`);
    return selected.hosts;
  });
  return [...new Set(hosts)];
}

// Everything Forgejo intake needs before the client exists; attach() starts posting, reactions() makes the 🚀 handler.
export function prepareForgejo(config: Config, db: Database.Database, inventory: Inventory, log: Logger) {
  const entries = Object.entries(config.forgejo.routes);
  const store = createPushStore<PushView>(db);
  let posting: ReturnType<typeof startPushPosting> | undefined;
  const nudge = () => posting?.nudge();
  if (entries.length > 0 && !config.http) log.warn({ routes: entries.map(([n]) => n) }, "forgejo.routes is set but http.listen is not, so no pushes can arrive");
  const routes = new Map<string, ForgejoRoute>(entries.map(([name, r]) => [name, {
    name, repository: r.repository, branch: r.branch, room: r.room, mode: r.mode, paths: r.paths,
    secret: readSecret(r.secret_file, `forgejo.routes.${name}.secret_file`), hosts: resolveProposed(inventory, r.proposes, name),
  }]));
  const deps: ForgejoDeps | undefined = entries.length === 0 ? undefined : {
    routes,
    sink: {
      accept: (route, push) => {
        const recorded = store.record({
          route: route.name, delivery: push.delivery, room: route.room, branch: push.summary.branch, sha: push.summary.after,
          kind: push.kind, hosts: push.hosts, view: { summary: push.summary, touched: push.touched }, receivedAt: Date.now(),
        });
        if (recorded) nudge();
        return { stored: recorded !== undefined };
      },
    },
  };
  return {
    deps,
    attach(client: MatrixClient, msgtypeFor: (roomId: string) => ReplyMsgtype, resolveRoom: (room: string) => Promise<string | undefined>): void {
      if (!deps) return;
      posting = startPushPosting({ store, poster: createAlertPoster(client, log, msgtypeFor), resolveRoom, log });
    },
    // The 🚀 handler; a no-op without routes.
    reactions(rest: Omit<PushReactionDeps, "store" | "nudge" | "log">) {
      const handle = createPushReactions({ ...rest, store, nudge, log });
      return deps ? handle : async () => undefined;
    },
    stop: async (): Promise<void> => {
      await posting?.stop();
    },
  };
}
