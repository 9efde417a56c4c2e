// What magi sends instead of a message the homeserver refuses as too large, so a command is never left unanswered.

// The homeserver refuses an event over its size limit (Synapse: 64 KiB) with 413 M_TOO_LARGE; sending it again can't help.
export function isTooLarge(error: unknown): boolean {
  const e = error as { errcode?: string; statusCode?: number };
  return e.errcode === "M_TOO_LARGE" || e.statusCode === 413;
}

// A short message standing in for one the homeserver refused as too large: same reply or edit relation, so it still answers what it was meant to.
export function replaceTooLarge(content: Record<string, unknown>): Record<string, unknown> {
  const size = Buffer.byteLength(JSON.stringify(content));
  const note = `magi's message was too large for the homeserver (${size} bytes), so it was not sent; the details are in magi's log.`;
  const msgtype = typeof content.msgtype === "string" ? content.msgtype : "m.notice";
  const relates = content["m.relates_to"] ? { "m.relates_to": content["m.relates_to"] } : {};
  if (content["m.new_content"]) return { msgtype, body: `* ${note}`, "m.new_content": { msgtype, body: note }, ...relates };
  return { msgtype, body: note, ...relates, "m.mentions": {} };
}
