// Runs each configured schedule on its own cron timer: probe the schedule's hosts as !status does, advance every
// problem's track by one round, and turn confirmed changes into alert groups, all in one transaction per round.
import { CronJob } from "cron";
import type Database from "better-sqlite3";
import type { MatrixClient } from "matrix-bot-sdk";
import type { Logger } from "pino";
import type { Config, ScheduleConfig } from "../config/schema.ts";
import type { GroupState } from "../http/alert-group.ts";
import type { HostEntry, Inventory } from "../runners/inventory.ts";
import { observeHost } from "../runners/schedules/observe-host.ts";
import { planHost } from "../runners/schedules/plan-host.ts";
import { selectScheduleHosts } from "../runners/schedules/select-hosts.ts";
import type { StatusPort } from "../runners/status/index.ts";
import { createAlertStore } from "../storage/alert-store.ts";
import { createScheduleStore } from "../storage/schedule-store.ts";
import { createSilenceStore } from "../storage/silence-store.ts";
import { createAlertPoster } from "./alert-poster.ts";
import type { AlertView } from "./alert-views.ts";
import type { ReplyMsgtype } from "./build-reply.ts";
import { startAlertPosting } from "./post-alerts.ts";
import { postDigest } from "./post-digest.ts";
import { recordScheduleChange, resolveUnwatched } from "./schedule-alerts.ts";
import { createRoomResolver } from "./start-http.ts";

// What the schedules need: where hosts are, how to probe them, the database, and how changed alert groups get posted.
export interface ScheduleDeps {
  schedules: Config["schedules"];
  inventory: Inventory;
  status: StatusPort;
  db: Database.Database;
  log: Logger;
  client: MatrixClient;
  msgtypeFor(roomId: string): ReplyMsgtype;
  // The HTTP intake, when it runs: its alert poster posts the schedules' groups too.
  intake: { nudge(): void } | undefined;
  now?: () => number;
}

// Checks every schedule's hosts against the inventory; the problems stop start-up like any config mistake.
export function checkScheduleHosts(schedules: Config["schedules"], inventory: Inventory): string[] {
  return Object.entries(schedules).flatMap(([name, s]) => selectScheduleHosts(inventory, s.hosts, `schedules.${name}.hosts`).problems);
}

// What one round needs.
export type RoundDeps = Pick<ScheduleDeps, "status" | "db" | "log"> & { now: () => number; changed: () => void };

// One round of one schedule; resolves when its changes are committed.
export async function runScheduleRound(name: string, schedule: ScheduleConfig, hosts: HostEntry[], deps: RoundDeps): Promise<void> {
  const store = createScheduleStore(deps.db);
  const alerts = createAlertStore<GroupState, AlertView>(deps.db);
  const silences = createSilenceStore(deps.db);
  const statuses = await deps.status.collect(hosts);
  const now = deps.now();
  const target = { name, room: schedule.room, timeZone: schedule.tz };
  const changes: string[] = [];
  store.transact(() => {
    for (const status of statuses) {
      const observation = observeHost(status, schedule.watch);
      const remembered = new Map(store.tracksOf(name, status.host).map((t) => [t.key, t]));
      for (const step of planHost(remembered, observation, now, schedule.confirm_after)) {
        store.save(name, status.host, step.key, step.track, now);
        if (step.transition && recordScheduleChange(alerts, silences, target, status.host, step.key, step.transition, now)) changes.push(`${status.host} ${step.key} ${step.transition.kind}`);
      }
    }
  });
  deps.log.debug({ schedule: name, hosts: statuses.length, changes }, "schedule round done");
  if (changes.length > 0) deps.changed();
}

// Resolves what hosts no schedule watches any more left open (at start and after a reload); returns those groups.
export function retireUnwatched(deps: Pick<ScheduleDeps, "schedules" | "inventory" | "db">, now: number): string[] {
  const watched = new Map(Object.entries(deps.schedules).map(([name, s]) => [name, new Set(selectScheduleHosts(deps.inventory, s.hosts, `schedules.${name}.hosts`).hosts.map((h) => h.name))]));
  return resolveUnwatched(createAlertStore<GroupState, AlertView>(deps.db), createScheduleStore(deps.db), watched, now);
}

// Starts one cron timer per schedule (and one per digest); a round still running when the next is due makes that one skip.
// First resolves what hosts no longer watched left open.
export function startSchedules(deps: ScheduleDeps): { nudge(): void; stop(): Promise<void> } {
  const retired = retireUnwatched(deps, (deps.now ?? Date.now)());
  if (retired.length > 0) deps.log.info({ groups: retired }, "resolved the problems of hosts no schedule watches any more");
  if (Object.keys(deps.schedules).length === 0 && retired.length === 0) return { nudge: () => undefined, stop: async () => undefined };
  const poster = createAlertPoster(deps.client, deps.log, deps.msgtypeFor);
  const resolveRoom = createRoomResolver(deps.client, deps.log);
  const now = deps.now ?? Date.now;
  // Without the HTTP intake nobody else posts alert groups, so the schedules start the same posting loop themselves.
  const posting = deps.intake ? undefined : startAlertPosting({ store: createAlertStore<GroupState, AlertView>(deps.db), poster, resolveRoom, log: deps.log });
  const round: RoundDeps = { ...deps, now, changed: () => (deps.intake ? deps.intake.nudge() : posting?.nudge()) };
  const jobs = Object.entries(deps.schedules).flatMap(([name, schedule]) => {
    const { hosts } = selectScheduleHosts(deps.inventory, schedule.hosts, `schedules.${name}.hosts`);
    const every = (cronTime: string, onTick: () => Promise<void>) => CronJob.from({
      cronTime, timeZone: schedule.tz, start: true, waitForCompletion: true, onTick,
      errorHandler: (error) => deps.log.error({ err: error, schedule: name }, "schedule run failed; the next one runs on time"),
    });
    const digest = schedule.digest_cron ? [every(schedule.digest_cron, () => postDigest(name, schedule, hosts.map((h) => h.name), { ...deps, poster, resolveRoom, now }))] : [];
    return [every(schedule.cron, () => runScheduleRound(name, schedule, hosts, round)), ...digest];
  });
  deps.log.info({ schedules: Object.keys(deps.schedules) }, "schedules started");
  return {
    // Brings the room up to date with the alert store (a silence changed a group's message).
    nudge: round.changed,
    stop: async () => {
      await Promise.all(jobs.map((job) => job.stop()));
      await posting?.stop();
    },
  };
}
