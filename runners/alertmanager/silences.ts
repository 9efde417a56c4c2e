// Alertmanager's silences API (v2): create one, list them, expire one.
import { z } from "zod";
import type { Matcher } from "../../domain/matchers.ts";
import { callAlertmanager, type ApiResult } from "./request.ts";

// A silence to create.
export interface NewSilence {
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

// A silence as Alertmanager lists it.
export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  state: string;
}

// Alertmanager's silence IDs are UUIDs.
export const SILENCE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const gettableSilence = z.object({
  id: z.string(),
  matchers: z.array(z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean().default(true) })),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
  status: z.object({ state: z.string() }),
});

// Creates a silence; resolves with its id.
export async function createSilence(baseUrl: string, silence: NewSilence): Promise<ApiResult<string>> {
  const body = { ...silence, startsAt: new Date(silence.startsAt).toISOString(), endsAt: new Date(silence.endsAt).toISOString() };
  const result = await callAlertmanager<{ silenceID?: unknown }>(baseUrl, "/api/v2/silences", "create the silence", { method: "POST", body });
  if (!result.ok) return result;
  const id = result.body?.silenceID;
  return typeof id === "string" ? { ok: true, body: id } : { ok: false, message: `Alertmanager at ${baseUrl} answered without a silence ID.` };
}

// Lists the silences Alertmanager holds in the given state ("active"), soonest to end first.
export async function listSilences(baseUrl: string, state: string): Promise<ApiResult<Silence[]>> {
  const result = await callAlertmanager<unknown>(baseUrl, "/api/v2/silences", "list silences", { method: "GET" });
  if (!result.ok) return result;
  const parsed = z.array(gettableSilence).safeParse(result.body);
  if (!parsed.success) return { ok: false, message: `Alertmanager at ${baseUrl} listed silences in a shape magi does not know.` };
  const silences = parsed.data
    .filter((s) => s.status.state === state)
    .map(({ status, startsAt, endsAt, ...s }) => ({ ...s, state: status.state, startsAt: Date.parse(startsAt), endsAt: Date.parse(endsAt) }));
  return { ok: true, body: silences.sort((a, b) => a.endsAt - b.endsAt) };
}

// Expires a silence now.
export async function expireSilence(baseUrl: string, id: string): Promise<ApiResult<undefined>> {
  const result = await callAlertmanager<unknown>(baseUrl, `/api/v2/silence/${encodeURIComponent(id)}`, `expire silence ${id}`, { method: "DELETE" });
  return result.ok ? { ok: true, body: undefined } : result;
}
