// Sets up Forgejo push intake: the routes (secrets read, tags resolved; swapped whole on a reload), the push store the
// intake commits to, and, once magi has synced, the poster of push messages, the deploys of mode deploy and the 🚀 handler.
import type Database from "better-sqlite3";
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { PolicyLookup } from "../commands/core/policies.ts";
import type { Config } from "../config/schema.ts";
import { readSecret } from "../http/check-credentials.ts";
import { splitDeploys } from "../http/forgejo-paths.ts";
import type { ForgejoDeps, ForgejoRoute } from "../http/forgejo-port.ts";
import { selectHosts, type Inventory } from "../runners/inventory.ts";
import { createPushStore } from "../storage/push-store.ts";
import { createAlertPoster } from "./alert-poster.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { createPushDeployer } from "./deploy-pushes.ts";
import { startPushPosting, type PushView } from "./post-pushes.ts";
import { createPushReactions, type PushReactionDeps } from "./push-reactions.ts";

const DEPLOY_COMMAND = "deploy";

// The hosts a route proposes, tags resolved, in the order given, once each.
function resolveProposed(inventory: Inventory, matchers: string[], route: string): string[] {
  const hosts = matchers.flatMap((m) => {
    const selected = selectHosts(inventory, m);
    if ("problem" in selected) throw new Error(`forgejo.routes.${route}.proposes: ${selected.problem}`);
    return selected.hosts;
  });
  return [...new Set(hosts)];
}

// Reads the routes of config: secrets read, hosts resolved against inventory; throws naming the route's problem.
export function readForgejoRoutes(config: Config, inventory: Inventory): Map<string, ForgejoRoute> {
  return new Map(Object.entries(config.forgejo.routes).map(([name, r]) => [name, {
    name, repository: r.repository, branch: r.branch, room: r.room, mode: r.mode, paths: r.paths, ...(r.deploy_as ? { deployAs: r.deploy_as } : {}),
    secret: readSecret(r.secret_file, `forgejo.routes.${name}.secret_file`), hosts: resolveProposed(inventory, r.proposes, name),
  }]));
}

// The pieces of the bot that 🚀 and mode deploy run commands through.
export type PushCommandDeps = Omit<PushReactionDeps, "store" | "nudge" | "log">;

// Everything Forgejo intake needs before the client exists; attach() starts posting (and deploying), reactions() makes the 🚀 handler.
export function prepareForgejo(config: Config, db: Database.Database, inventory: Inventory, policyFor: PolicyLookup, log: Logger) {
  const store = createPushStore<PushView>(db);
  let posting: ReturnType<typeof startPushPosting> | undefined;
  const nudge = () => posting?.nudge();
  let routes = readForgejoRoutes(config, inventory);
  const warnUnserved = (next: Config) => {
    if (Object.keys(next.forgejo.routes).length > 0 && !next.http) log.warn({ routes: Object.keys(next.forgejo.routes) }, "forgejo.routes is set but http.listen is not, so no pushes can arrive");
  };
  warnUnserved(config);
  const needsApproval = (host: string) => policyFor(DEPLOY_COMMAND, [host]) !== undefined;
  // Always served (an empty map answers 404), so a reload can add the first route.
  const deps: ForgejoDeps = {
    routes: { get: (name: string) => routes.get(name) },
    sink: {
      accept: (route, push) => {
        // The policy is read as the push arrives: the message says at once what deploys and what waits for a 🚀.
        const decided = route.mode === "deploy" ? splitDeploys(push, needsApproval) : { kind: push.kind, hosts: push.hosts, deployHosts: [] };
        const recorded = store.record({
          route: route.name, delivery: push.delivery, room: route.room, branch: push.summary.branch, sha: push.summary.after,
          kind: decided.kind, hosts: decided.hosts, view: { summary: push.summary, touched: push.touched }, receivedAt: Date.now(),
          deployHosts: decided.deployHosts, deployAs: decided.deployHosts.length > 0 ? (route.deployAs ?? null) : null,
        });
        if (recorded) nudge();
        return { stored: recorded !== undefined };
      },
    },
  };
  return {
    deps,
    attach(client: MatrixClient, msgtypeFor: (roomId: string) => ReplyMsgtype, resolveRoom: (room: string) => Promise<string | undefined>, commands: PushCommandDeps): void {
      const startDeploy = createPushDeployer({ ...commands, store, log, now: () => Date.now() });
      posting = startPushPosting({ store, poster: createAlertPoster(client, log, msgtypeFor), resolveRoom, startDeploy, log });
    },
    // The 🚀 handler.
    reactions: (rest: PushCommandDeps) => createPushReactions({ ...rest, store, nudge, log }),
    // Swaps in a reload's routes (read with readForgejoRoutes, so a bad secret file refuses the reload before this).
    replaceRoutes(next: Map<string, ForgejoRoute>, nextConfig: Config): void {
      routes = next;
      warnUnserved(nextConfig);
    },
    stop: async (): Promise<void> => {
      await posting?.stop();
    },
  };
}
