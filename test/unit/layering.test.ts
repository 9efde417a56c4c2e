// The import graph of the product's folders points one way: a folder imports only from its own
// layer or those below it. Run alone: npx vitest run test/unit/layering.test.ts
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
// Lowest first. domain/ and config/ are the ground floor (vocabulary and validated settings);
// runners/ do work on hosts; commands/ decide what to do; storage/ implements the ports the
// layers below declare; http/ takes requests in and hands them on through its ports; bot/ wires everything to Matrix.
const LAYERS = [["domain", "config"], ["runners"], ["commands"], ["storage"], ["http"], ["bot"]] as const;
const rankOf = (folder: string) => LAYERS.findIndex((layer) => (layer as readonly string[]).includes(folder));

function listSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listSources(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

// Every relative import in the product as [importer, imported], both relative to the root.
function listImports(): [string, string][] {
  const edges: [string, string][] = [];
  for (const layer of LAYERS.flat()) {
    for (const file of listSources(join(ROOT, layer))) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/gm)) {
        const spec = match[1] ?? match[2]!;
        edges.push([relative(ROOT, file), relative(ROOT, normalize(join(dirname(file), spec)))]);
      }
    }
  }
  return edges;
}

describe("layering", () => {
  it("has no import from a lower layer into a higher one", () => {
    const edges = listImports();
    expect(edges.length).toBeGreaterThan(300);
    const upward = edges.filter(([from, to]) => rankOf(to.split("/")[0]!) > rankOf(from.split("/")[0]!)).map(([from, to]) => `${from} -> ${to}`);
    expect(upward).toEqual([]);
  });

  it("knows every top-level folder that holds product code", () => {
    const folders = new Set(listImports().flatMap(([from, to]) => [from.split("/")[0]!, to.split("/")[0]!]));
    expect([...folders].filter((f) => rankOf(f) < 0)).toEqual([]);
  });
});
