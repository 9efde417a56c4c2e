// One request to Alertmanager's API v2, with every way it can fail turned into a sentence for the room: refused
// (its status and its own message), unreachable, or too slow.

// What a request came to: the parsed JSON body, or a message for the user (with Alertmanager's status if it answered).
export type ApiResult<T> = { ok: true; body: T } | { ok: false; message: string; status?: number };

// Long enough for a loaded Alertmanager, short enough that the room is not left waiting.
const TIMEOUT_MS = 10_000;
const MAX_DETAIL = 300;

// Alertmanager answers errors as a JSON string ("silence invalid: …") or a swagger {code, message}; else plain text.
function readErrorDetail(text: string): string {
  let detail = text.trim();
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json === "string") detail = json;
    else if (typeof json === "object" && json !== null && typeof (json as { message?: unknown }).message === "string") detail = (json as { message: string }).message;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail;
}

// Why fetch threw, in the words of its cause (ECONNREFUSED, ENOTFOUND) when there is one.
function describeNetworkError(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return `did not answer within ${TIMEOUT_MS / 1000} s`;
  return `is unreachable (${err.cause?.message ?? err.cause?.code ?? err.message})`;
}

// Calls baseUrl + path ("/api/v2/silences") and reads its JSON answer; what says what was being done (for messages).
export async function callAlertmanager<T>(baseUrl: string, path: string, what: string, init: { method: string; body?: unknown }): Promise<ApiResult<T>> {
  const url = `${baseUrl.replace(/\/+$/, "")}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { accept: "application/json", ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch (error) {
    return { ok: false, message: `Could not ${what}: Alertmanager at ${baseUrl} ${describeNetworkError(error)}.` };
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    const detail = readErrorDetail(text);
    return { ok: false, status: response.status, message: `Alertmanager refused to ${what}: ${response.status} ${response.statusText}${detail ? `: ${detail}` : ""}` };
  }
  try {
    return { ok: true, body: (text === "" ? undefined : JSON.parse(text)) as T };
  } catch {
    return { ok: false, message: `Could not ${what}: Alertmanager at ${baseUrl} answered ${response.status} with a body that is not JSON.` };
  }
}
