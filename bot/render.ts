// Renders command output blocks into a Matrix message's plain body and HTML formatted_body.
import type { Block } from "../commands/core/types.ts";

// The widest plain-text line a table may produce: a terminal or a phone shows this much without wrapping mid-word.
export const MAX_LINE = 100;

const INDENT = "  ";
const FIELD_SEPARATOR = " · ";

// Escapes text for HTML.
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function alignTable(columns: string[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(columns), ...rows.map(line)];
}

// Breaks text at spaces into lines of at most width characters after the indent; a longer word gets a line of its own.
function wrapWords(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ").filter(Boolean)) {
    if (current && indent.length + current.length + 1 + word.length > width) {
      lines.push(indent + current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(indent + current);
  return lines;
}

// A table too wide for a line becomes one item per row: the first cell, then the others as "column: value".
function describeFields(columns: string[], row: string[]): string {
  if (columns.length === 2) return row[1] ?? "";
  return columns.slice(1).map((c, i) => `${c}: ${row[i + 1] ?? ""}`).join(FIELD_SEPARATOR);
}

// A row's heading in list form; a number says what it counts ("job 12", "generation 42 (current)", not "12").
function describeHeading(columns: string[], row: string[]): string {
  const first = row[0] ?? "";
  return /^\d+\b/.test(first) ? `${columns[0]} ${first}` : first;
}

function isNarrow(lines: string[]): boolean {
  return lines.every((l) => l.length <= MAX_LINE);
}

function plainTable(columns: string[], rows: string[][]): string {
  const aligned = alignTable(columns, rows);
  // The fence marks a monospace block for clients that read the plain body as markdown.
  if (isNarrow(aligned)) return "```\n" + aligned.join("\n") + "\n```";
  return rows.map((r) => [...wrapWords(`• ${describeHeading(columns, r)}`, MAX_LINE, ""), ...wrapWords(describeFields(columns, r), MAX_LINE, INDENT)].join("\n")).join("\n");
}

// mautrix-slack turns HTML into Slack rich text and has no tables (cells run together), so tables
// go out as preformatted text or as a list, both of which it keeps.
function htmlTable(columns: string[], rows: string[][]): string {
  const aligned = alignTable(columns, rows);
  if (isNarrow(aligned)) return `<pre><code>${escapeHtml(aligned.join("\n"))}</code></pre>`;
  return `<ul>${rows.map((r) => `<li><b>${escapeHtml(describeHeading(columns, r))}</b><br>${escapeHtml(describeFields(columns, r))}</li>`).join("")}</ul>`;
}

function renderBlock(block: Block): { plain: string; html: string } {
  switch (block.kind) {
    case "text":
      return { plain: block.text, html: `<p>${escapeHtml(block.text)}</p>` };
    case "list":
      return { plain: block.items.map((i) => `• ${i}`).join("\n"), html: `<ul>${block.items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>` };
    case "code":
      return { plain: block.text, html: `<pre><code>${escapeHtml(block.text)}</code></pre>` };
    case "table":
      return { plain: plainTable(block.columns, block.rows), html: htmlTable(block.columns, block.rows) };
  }
}

// Both renderings of a reply.
export function renderBlocks(blocks: Block[]): { body: string; formattedBody: string } {
  const parts = blocks.map(renderBlock);
  return { body: parts.map((p) => p.plain).join("\n"), formattedBody: parts.map((p) => p.html).join("") };
}
