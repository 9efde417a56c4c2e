// Re-reads the config file (SIGHUP, `magi reload`): hosts, tags, access rules, rooms, approval rules, alert routes, Forgejo routes and schedules
// change without a restart. A file that fails any start-up check is refused, logged with its problems, and the running
// config stays. Jobs already running keep the host entry they started with.
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import { loadConfig } from "../config/load-config.ts";
import { planReload } from "../config/plan-reload.ts";
import type { SecuredAlertRoute } from "../http/create-server.ts";
import type { ForgejoRoute } from "../http/forgejo-port.ts";
import { applyStoredPins } from "../runners/enroll/enroll-port.ts";
import type { HostKeyStore } from "../runners/enroll/types.ts";
import type { ConfigHolder } from "./config-holder.ts";
import { assembleLiveConfig, resolveCheckedInventory, type LiveConfig } from "./live-config.ts";
import { createRoomDirectory } from "./room-directory.ts";
import { readForgejoRoutes } from "./start-forgejo.ts";
import { readAlertRoutes } from "./start-http.ts";

// What a reload needs from the running bot.
export interface ReloadDeps {
  path: string;
  holder: ConfigHolder<LiveConfig>;
  client: MatrixClient;
  hostKeys: HostKeyStore;
  // Config's own host key pins, refilled in place: the enroll port holds this map.
  configPins: Map<string, string>;
  log: Logger;
  http?: { replaceRoutes(routes: ReadonlyMap<string, SecuredAlertRoute>): void };
  forgejo?: { replaceRoutes(routes: Map<string, ForgejoRoute>, config: LiveConfig["config"]): void };
  // Starts the schedules of config again (they pick their hosts when they start).
  restartSchedules(config: LiveConfig["config"]): Promise<void>;
}

// How a reload ended.
export type ReloadOutcome = { ok: true; changed: string[]; waiting: string[] } | { ok: false; problems: string[] };

// Returns reload(); reloads run one at a time, in the order asked.
export function createReloader(deps: ReloadDeps): () => Promise<ReloadOutcome> {
  let last: Promise<unknown> = Promise.resolve();
  return () => {
    const outcome = last.then(() => reloadOnce(deps));
    last = outcome.catch(() => undefined);
    return outcome;
  };
}

function refuse(deps: ReloadDeps, problems: string[]): ReloadOutcome {
  deps.log.error({ path: deps.path, problems }, "config reload refused; magi keeps running with the config it has");
  return { ok: false, problems };
}

async function reloadOnce(deps: ReloadDeps): Promise<ReloadOutcome> {
  const loaded = loadConfig(deps.path, { checkMachine: true });
  if (!loaded.ok) return refuse(deps, loaded.problems);
  const running = deps.holder.current();
  const plan = planReload(running.config, loaded.config);
  if (!plan.ok) return refuse(deps, plan.problems);
  const checked = await resolveCheckedInventory(plan.config);
  if ("problems" in checked) return refuse(deps, checked.problems);
  let routes: Map<string, SecuredAlertRoute> | undefined;
  let pushRoutes: Map<string, ForgejoRoute> | undefined;
  try {
    // Without http.listen no route is served, and a start reads none of their secrets either.
    routes = plan.changed.includes("alerts") && deps.http ? readAlertRoutes(plan.config) : undefined;
    // Forgejo routes name hosts and tags, so they are read again when the hosts change too.
    pushRoutes = plan.changed.includes("forgejo") || plan.changed.includes("hosts") ? readForgejoRoutes(plan.config, checked.inventory) : undefined;
  } catch (error) {
    return refuse(deps, [(error as Error).message]);
  }
  // Aliases are resolved again only when rooms changed; one that cannot be resolved is logged and skipped, as at start.
  const rooms = plan.changed.includes("rooms") ? await createRoomDirectory(deps.client, plan.config.rooms, deps.log) : running.rooms;
  const pins = applyStoredPins(checked.inventory, deps.hostKeys);
  deps.holder.replace(assembleLiveConfig(plan.config, checked.inventory, rooms));
  deps.configPins.clear();
  for (const [host, key] of pins) deps.configPins.set(host, key);
  if (routes) deps.http?.replaceRoutes(routes);
  if (pushRoutes) deps.forgejo?.replaceRoutes(pushRoutes, plan.config);
  if (plan.changed.includes("hosts") || plan.changed.includes("schedules")) await deps.restartSchedules(plan.config);
  const before = new Set(running.rooms.roomIds());
  for (const roomId of rooms.roomIds().filter((id) => !before.has(id))) {
    await deps.client.joinRoom(roomId).catch((e: Error) => deps.log.warn({ roomId, err: e.message }, "cannot join configured room yet; waiting for an invite"));
  }
  deps.log.info({ path: deps.path, changed: plan.changed, waitingForRestart: plan.waiting, hosts: [...checked.inventory.keys()], rooms: rooms.roomIds() }, "config reloaded");
  return { ok: true, changed: plan.changed, waiting: plan.waiting };
}
