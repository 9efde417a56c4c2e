// Reads a message's HTML formatted_body as the text a client shows, so magi can tell when it differs from the plain body it runs.
// One pass over the input with indexOf look-aheads and no backtracking regexes: hostile input of any length stays linear.

// Elements whose content clients never show: the reply quote (stripped like the plain body's fallback), scripts, styles.
const HIDDEN = new Set(["mx-reply", "script", "style"]);
// Elements that start a new line on screen; their tags read as whitespace so words on either side stay apart.
const BLOCKS = new Set(["p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "td", "th", "table", "hr", "details", "summary"]);
const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
const MAX_ENTITY_LENGTH = 12;
// A pill's attributes are an href and perhaps a class; anything longer is not a pill.
const MAX_PILL_ATTRIBUTES = 1000;

interface Tag {
  name: string;
  closing: boolean;
  attributes: string;
  end: number;
}

// Reads the tag starting at html[start] === "<"; undefined when it is not a tag (then "<" is text, as browsers show it).
function readTag(html: string, start: number): Tag | undefined {
  let i = start + 1;
  const closing = html[i] === "/";
  if (closing) i++;
  const nameStart = i;
  while (i < html.length && /[A-Za-z0-9-]/.test(html[i]!)) i++;
  if (i === nameStart) return undefined;
  const name = html.slice(nameStart, i).toLowerCase();
  const attributesStart = i;
  let quote: string | undefined;
  for (; i < html.length; i++) {
    const char = html[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === ">") return { name, closing, attributes: html.slice(attributesStart, i), end: i + 1 };
  }
  return { name, closing, attributes: html.slice(attributesStart), end: html.length };
}

// Where the closing </name> (any case) starts and ends; both are the input's end when it is never closed.
function findClose(html: string, from: number, name: string): { start: number; end: number } {
  for (let i = html.indexOf("</", from); i !== -1; i = html.indexOf("</", i + 2)) {
    const after = html[i + 2 + name.length];
    if (html.slice(i + 2, i + 2 + name.length).toLowerCase() === name && (after === undefined || after === ">" || /\s/.test(after))) {
      const close = html.indexOf(">", i);
      return { start: i, end: close === -1 ? html.length : close + 1 };
    }
  }
  return { start: html.length, end: html.length };
}

// Decodes the entity at html[start] === "&"; unknown or unterminated ones stay as typed.
function readEntity(html: string, start: number): { text: string; end: number } {
  const semi = html.indexOf(";", start);
  if (semi === -1 || semi - start > MAX_ENTITY_LENGTH) return { text: "&", end: start + 1 };
  const name = html.slice(start + 1, semi);
  const numeric = /^#(x[0-9a-f]+|[0-9]+)$/i.exec(name);
  if (numeric) {
    const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    return { text: valid ? String.fromCodePoint(code) : "\ufffd", end: semi + 1 };
  }
  const named = NAMED_ENTITIES[name.toLowerCase()];
  return named === undefined ? { text: "&", end: start + 1 } : { text: named, end: semi + 1 };
}

// The text of HTML as shown: hidden elements dropped, tags removed (block tags as line breaks), entities decoded.
export function htmlToText(html: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < html.length) {
    const char = html[i]!;
    if (char === "<") {
      if (html.startsWith("<!--", i)) {
        const close = html.indexOf("-->", i + 4);
        i = close === -1 ? html.length : close + 3;
        continue;
      }
      const tag = readTag(html, i);
      if (!tag) {
        out.push("<");
        i++;
        continue;
      }
      if (BLOCKS.has(tag.name)) out.push("\n");
      i = !tag.closing && HIDDEN.has(tag.name) ? findClose(html, tag.end, tag.name).end : tag.end;
    } else if (char === "&") {
      const entity = readEntity(html, i);
      out.push(entity.text);
      i = entity.end;
    } else {
      const next = nextSpecial(html, i);
      out.push(html.slice(i, next));
      i = next;
    }
  }
  return out.join("");
}

// The next "<" or "&" at or after from, or the end.
function nextSpecial(html: string, from: number): number {
  const lt = html.indexOf("<", from);
  const amp = html.indexOf("&", from);
  if (lt === -1) return amp === -1 ? html.length : amp;
  return amp === -1 ? lt : Math.min(lt, amp);
}

// The HTML after a leading <mx-reply> quote, the way clients hide it.
export function stripHtmlReply(html: string): string {
  const start = html.length - html.trimStart().length;
  const tag = html[start] === "<" ? readTag(html, start) : undefined;
  return tag && !tag.closing && tag.name === "mx-reply" ? html.slice(findClose(html, tag.end, "mx-reply").end) : html;
}

// The user a leading mention pill (<a href="https://matrix.to/#/@user:server">name</a>) points to, and its text.
export function readLeadingPill(html: string): { userId: string; text: string } | undefined {
  const start = html.length - html.trimStart().length;
  if (html[start] !== "<") return undefined;
  const tag = readTag(html, start);
  if (!tag || tag.closing || tag.name !== "a" || tag.attributes.length > MAX_PILL_ATTRIBUTES) return undefined;
  const href = /\bhref\s*=\s*("([^"]*)"|'([^']*)')/i.exec(tag.attributes);
  const url = href?.[2] ?? href?.[3];
  const prefix = "https://matrix.to/#/";
  if (!url?.startsWith(prefix)) return undefined;
  let target: string;
  try {
    target = decodeURIComponent(url.slice(prefix.length).split("?")[0]!);
  } catch {
    return undefined;
  }
  if (!target.startsWith("@")) return undefined;
  const close = findClose(html, tag.end, "a");
  return { userId: target, text: htmlToText(html.slice(tag.end, close.start)).trim() };
}
