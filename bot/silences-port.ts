// The SilencesPort over Alertmanager's API and magi's database: a silence is remembered with every open group it
// covers, and those groups' messages are rendered anew (and edited in the room) when it is made, expired or ends.
// Silences of schedule alerts are held by magi itself (no Alertmanager sees those alerts).
import type Database from "better-sqlite3";
import type { Logger } from "pino";
import type { AlertedGroup, SilenceRequest, SilencesPort } from "../commands/core/silences-port.ts";
import { coversAlerts } from "../domain/matchers.ts";
import type { GroupState } from "../http/alert-group.ts";
import { describeGroup, findCommonLabels, renderAlertGroup } from "../http/alert-view.ts";
import { isHeldSilence, makeHeldSilenceId } from "../runners/alertmanager/held-silences.ts";
import { createSilence, expireSilence, listSilences } from "../runners/alertmanager/silences.ts";
import { ALL_SCHEDULES_ROUTE, isScheduleRoute, SCHEDULE_REPLY_LABELS } from "../runners/schedules/route.ts";
import { createAlertStore, type StoredAlertGroup } from "../storage/alert-store.ts";
import { createSilenceStore } from "../storage/silence-store.ts";
import { collectExtras, type AlertView, type ViewExtras } from "./alert-views.ts";
import { restyleScheduleView, toMark } from "./schedule-alerts.ts";
import { startSilenceEnds } from "./silence-ends.ts";

// What the port needs: the database, each route's Alertmanager URL, and a nudge for the alert poster.
export interface SilencesPortDeps {
  db: Database.Database;
  alertmanagerUrls: Record<string, string | undefined>;
  nudge(): void;
  log: Logger;
  now(): number;
}

// The marks a group's message shows, from the silence store.
export function createViewExtras(db: Database.Database, alertmanagerUrls: Record<string, string | undefined>): ViewExtras {
  const silences = createSilenceStore(db);
  return {
    urlOf: (route) => alertmanagerUrls[route],
    marksOf: (groupId, now) => silences.activeFor(groupId, now).map(toMark),
  };
}

const firingLabels = (g: StoredAlertGroup<GroupState, AlertView>) => g.state.alerts.filter((a) => a.status === "firing").map((a) => a.labels);

// A SilencesPort for the configured routes; stop() ends the timer that shows silences ending.
export function createSilencesPort(deps: SilencesPortDeps): SilencesPort & { stop(): void } {
  const groups = createAlertStore<GroupState, AlertView>(deps.db);
  const silences = createSilenceStore(deps.db);
  const extras = createViewExtras(deps.db, deps.alertmanagerUrls);
  const urlOf = (route: string) => deps.alertmanagerUrls[route];

  // Each distinct Alertmanager once, named by the first route (in config order) that uses it.
  const alertmanagers = () => {
    const seen = new Map<string, string>();
    for (const [route, url] of Object.entries(deps.alertmanagerUrls)) if (url && !seen.has(url)) seen.set(url, route);
    return [...seen].map(([url, route]) => ({ route, url }));
  };

  // The group's message with the silences that count now.
  const render = (g: StoredAlertGroup<GroupState, AlertView>): AlertView => {
    const now = deps.now();
    if (isScheduleRoute(g.route)) return restyleScheduleView(g.view, silences.activeFor(g.id, now).map(toMark));
    return { ...g.view, blocks: renderAlertGroup(g.state, g.route, collectExtras(extras, g.route, g.id, now)) };
  };

  // Renders a group's message again; the poster edits it in the room. A message magi held back (it opened under a
  // silence magi holds) is posted only once it fires with no silence left over it.
  const show = (groupId: number) => {
    const g = groups.get(groupId);
    if (!g) return;
    const heldBack = g.messageRef === null && g.postedRevision >= g.revision;
    if (heldBack && (g.resolved || silences.activeFor(g.id, deps.now()).length > 0)) return;
    if (groups.restyle(groupId, deps.now(), render)) deps.nudge();
  };
  const ends = startSilenceEnds({ silences, show, now: deps.now, log: deps.log });

  // The open groups in scope whose firing alerts the matchers all match, and the replied-to group.
  const coveredGroups = (request: SilenceRequest, inScope: (route: string) => boolean, groupId: number | undefined) => {
    const covered = groups.open().filter((g) => inScope(g.route) && coversAlerts(request.matchers, firingLabels(g))).map((g) => g.id);
    return [...new Set([...(groupId === undefined ? [] : [groupId]), ...covered])];
  };

  // Stores a silence with the groups it covers and shows it on their messages.
  const remember = (id: string, route: string, request: SilenceRequest, startsAt: number, groupIds: number[], groupId: number | undefined) => {
    const endsAt = startsAt + request.durationMs;
    silences.record({ silenceId: id, route, groupId: groupId ?? null, matchers: request.matchers, createdBy: request.createdBy, comment: request.comment, endsAt, createdAt: startsAt }, groupIds);
    deps.log.info({ route, silenceId: id, createdBy: request.createdBy, groups: groupIds }, "silence created");
    groupIds.forEach(show);
    ends.rearm();
    return { ok: true as const, id, endsAt };
  };

  // Takes an expired silence off its groups' messages; names the groups, for the reply.
  const forget = (id: string) => {
    const marked = silences.groupsOf(id);
    marked.forEach(show);
    ends.rearm();
    const names = marked.map((g) => groups.get(g)).filter((g) => g !== undefined).map((g) => describeGroup(g.state, g.route));
    return names.length > 0 ? names.join(", ") : undefined;
  };

  return {
    groupAt: (_roomId, eventId): AlertedGroup | undefined => {
      const group = groups.findByMessage(eventId);
      if (!group) return undefined;
      const common = findCommonLabels(group.state);
      const labels = isScheduleRoute(group.route) ? Object.fromEntries(Object.entries(common).filter(([name]) => SCHEDULE_REPLY_LABELS.includes(name))) : common;
      return { groupId: group.id, route: group.route, name: describeGroup(group.state, group.route), commonLabels: labels };
    },
    urlOf,
    alertmanagers,
    holds: isScheduleRoute,
    create: async (route, request, groupId) => {
      const startsAt = deps.now();
      if (isScheduleRoute(route)) return remember(makeHeldSilenceId(), route, request, startsAt, coveredGroups(request, isScheduleRoute, groupId), groupId);
      const url = urlOf(route);
      if (!url) return { ok: false, message: `Alert route ${route} has no Alertmanager URL: set alerts.routes.${route}.alertmanager_url.` };
      const made = await createSilence(url, { matchers: request.matchers, startsAt, endsAt: startsAt + request.durationMs, createdBy: request.createdBy, comment: request.comment });
      if (!made.ok) return made;
      return remember(made.body, route, request, startsAt, coveredGroups(request, (r) => urlOf(r) === url, groupId), groupId);
    },
    listActive: async () => {
      const listings = await Promise.all(alertmanagers().map(async (am) => {
        const listed = await listSilences(am.url, "active");
        return listed.ok ? { ...am, ok: true as const, silences: listed.body } : { ...am, ok: false as const, message: listed.message };
      }));
      const held = silences.activeHeld(deps.now()).map((s) => ({ id: s.silenceId, matchers: s.matchers, startsAt: s.createdAt, endsAt: s.endsAt, createdBy: s.createdBy, comment: s.comment, state: "active" }));
      return held.length === 0 ? listings : [...listings, { route: ALL_SCHEDULES_ROUTE, url: "", ok: true as const, silences: held }];
    },
    expire: async (id) => {
      const known = silences.get(id);
      if (isHeldSilence(id)) {
        if (!known) return { ok: false, message: `magi holds no silence ${id}.` };
        if (!silences.markExpired(id, deps.now())) return { ok: false, message: `Silence ${id} has already ended.` };
        deps.log.info({ silenceId: id }, "silence expired");
        return { ok: true, route: known.route, groupName: forget(id) };
      }
      // A silence magi did not make may be on any Alertmanager: the first that knows it expires it.
      const candidates = known && urlOf(known.route) ? [{ route: known.route, url: urlOf(known.route)! }] : alertmanagers();
      if (candidates.length === 0) return { ok: false, message: "No alert route has an Alertmanager URL, so magi cannot expire silences: set alerts.routes.<name>.alertmanager_url." };
      let failure: { ok: false; message: string } | undefined;
      for (const am of candidates) {
        const result = await expireSilence(am.url, id);
        if (result.ok) {
          deps.log.info({ route: am.route, silenceId: id }, "silence expired");
          silences.markExpired(id, deps.now());
          return { ok: true, route: am.route, groupName: forget(id) };
        }
        // 404 from one Alertmanager only says the silence is elsewhere; any other failure is worth telling.
        if (result.status !== 404 || !failure) failure = { ok: false, message: result.status === 404 ? `No Alertmanager knows silence ${id}.` : result.message };
      }
      return failure!;
    },
    stop: () => ends.stop(),
  };
}
