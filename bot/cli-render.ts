// Command output for a terminal: the same plain text a Matrix reply carries, without the markdown fences around tables.
import type { Block } from "../commands/core/types.ts";
import { renderBlocks } from "./render.ts";

// The plain rendering of blocks for a terminal, with lead in front (an "approved by …; " note).
export function renderForTerminal(blocks: Block[], lead = ""): string {
  const body = renderBlocks(blocks).body.split("\n").filter((line) => line !== "```").join("\n");
  return lead ? `${lead}${body}` : body;
}
