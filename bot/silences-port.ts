// The SilencesPort over Alertmanager's API and magi's database: a silence made from an alert message is remembered
// with its group, and the group's message is rendered anew (and edited in the room) when it is made or expired.
import type Database from "better-sqlite3";
import type { Logger } from "pino";
import type { SilencesPort } from "../commands/silences-port.ts";
import type { GroupState } from "../http/alert-group.ts";
import { describeGroup, findCommonLabels, renderAlertGroup } from "../http/alert-view.ts";
import { createSilence, expireSilence, listSilences } from "../runners/alertmanager/silences.ts";
import { createAlertStore } from "../storage/alert-store.ts";
import { createSilenceStore } from "../storage/silence-store.ts";
import { collectExtras, type AlertView, type ViewExtras } from "./alert-sink.ts";

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
    marksOf: (groupId, now) => silences.activeFor(groupId, now).map((s) => ({ id: s.silenceId, by: s.createdBy, until: s.endsAt, reason: s.comment })),
  };
}

// A SilencesPort for the configured routes.
export function createSilencesPort(deps: SilencesPortDeps): SilencesPort {
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

  // Renders the group's message again with its current silences; the poster edits it in the room.
  const restyle = (groupId: number) => {
    const changed = groups.restyle(groupId, deps.now(), (g) => ({
      ...g.view, blocks: renderAlertGroup(g.state, g.route, collectExtras(extras, g.route, g.id, deps.now())),
    }));
    if (changed) deps.nudge();
  };

  return {
    groupAt: (_roomId, eventId) => {
      const group = groups.findByMessage(eventId);
      return group && { groupId: group.id, route: group.route, name: describeGroup(group.state, group.route), commonLabels: findCommonLabels(group.state) };
    },
    urlOf,
    alertmanagers,
    create: async (route, request, groupId) => {
      const url = urlOf(route);
      if (!url) return { ok: false, message: `Alert route ${route} has no Alertmanager URL: set alerts.routes.${route}.alertmanager_url.` };
      const startsAt = deps.now();
      const endsAt = startsAt + request.durationMs;
      const made = await createSilence(url, { matchers: request.matchers, startsAt, endsAt, createdBy: request.createdBy, comment: request.comment });
      if (!made.ok) return made;
      deps.log.info({ route, silenceId: made.body, createdBy: request.createdBy, groupId }, "silence created");
      silences.record({ silenceId: made.body, route, groupId: groupId ?? null, createdBy: request.createdBy, comment: request.comment, endsAt, createdAt: startsAt });
      if (groupId !== undefined) restyle(groupId);
      return { ok: true, id: made.body, endsAt };
    },
    listActive: () => Promise.all(alertmanagers().map(async (am) => {
      const listed = await listSilences(am.url, "active");
      return listed.ok ? { ...am, ok: true as const, silences: listed.body } : { ...am, ok: false as const, message: listed.message };
    })),
    expire: async (id) => {
      const known = silences.get(id);
      // A silence magi did not make may be on any Alertmanager: the first that knows it expires it.
      const candidates = known && urlOf(known.route) ? [{ route: known.route, url: urlOf(known.route)! }] : alertmanagers();
      if (candidates.length === 0) return { ok: false, message: "No alert route has an Alertmanager URL, so magi cannot expire silences: set alerts.routes.<name>.alertmanager_url." };
      let failure: { ok: false; message: string } | undefined;
      for (const am of candidates) {
        const result = await expireSilence(am.url, id);
        if (result.ok) {
          deps.log.info({ route: am.route, silenceId: id }, "silence expired");
          silences.markExpired(id, deps.now());
          const group = known?.groupId == null ? undefined : groups.get(known.groupId);
          if (group) restyle(group.id);
          return { ok: true, route: am.route, groupName: group && describeGroup(group.state, group.route) };
        }
        // 404 from one Alertmanager only says the silence is elsewhere; any other failure is worth telling.
        if (result.status !== 404 || !failure) failure = { ok: false, message: result.status === 404 ? `No Alertmanager knows silence ${id}.` : result.message };
      }
      return failure!;
    },
  };
}
