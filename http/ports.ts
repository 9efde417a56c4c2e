// What the HTTP intake needs from the rest of magi; the bot implements these, so http/ never knows Matrix.
import type { AlertmanagerPayload } from "./alertmanager-payload.ts";

// One configured Alertmanager route, as the intake hands it on.
export interface AlertRoute {
  name: string;
  room: string;
  mention: string[];
}

// Takes an Alertmanager notification; resolves once it is committed (rejects when it could not be).
export interface AlertSink {
  accept(route: AlertRoute, payload: AlertmanagerPayload): Promise<void>;
}

// Whether magi can do its work: synced with the homeserver and its database open.
export interface Health {
  check(): { ok: true } | { ok: false; reason: string };
}
