// Renders command output blocks into a Matrix message's plain body and HTML formatted_body.
import type { Block } from "../commands/types.ts";

// Escapes text for HTML.
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function plainTable(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(columns), ...rows.map(line)].join("\n");
}

function htmlTable(columns: string[], rows: string[][]): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
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
      // Slack shows no HTML tables, so the plain body keeps columns aligned in a code block.
      return { plain: "```\n" + plainTable(block.columns, block.rows) + "\n```", html: htmlTable(block.columns, block.rows) };
  }
}

// Both renderings of a reply.
export function renderBlocks(blocks: Block[]): { body: string; formattedBody: string } {
  const parts = blocks.map(renderBlock);
  return { body: parts.map((p) => p.plain).join("\n"), formattedBody: parts.map((p) => p.html).join("") };
}
