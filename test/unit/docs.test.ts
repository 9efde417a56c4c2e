import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "../../config/schema.ts";

// Every config key path the schema accepts, records and arrays written as "*": "hosts.*.deploy.flake_attr".
function listSchemaPaths(schema: unknown, prefix = "", into = new Set<string>()): Set<string> {
  const def = (schema as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const below = (name: string) => (prefix ? `${prefix}.${name}` : name);
  switch (def.type) {
    case "object":
      for (const [key, child] of Object.entries(def.shape as Record<string, unknown>)) {
        into.add(below(key));
        listSchemaPaths(child, below(key), into);
      }
      break;
    case "record":
      into.add(below("*"));
      listSchemaPaths(def.valueType, below("*"), into);
      break;
    case "array":
      into.add(below("*"));
      listSchemaPaths(def.element, below("*"), into);
      break;
    case "optional": case "default": case "nullable": case "prefault":
      listSchemaPaths(def.innerType, prefix, into);
      break;
    case "pipe":
      listSchemaPaths(def.in, prefix, into);
      break;
    case "union":
      for (const option of def.options as unknown[]) listSchemaPaths(option, prefix, into);
      break;
  }
  return into;
}

const KNOWN = listSchemaPaths(configSchema);
const SECTIONS = new Set([...KNOWN].filter((p) => !p.includes(".")));
// Docs name host settings relative to the host ("ssh.sudo", "deploy.flake_attr").
const HOST_SECTIONS = new Set(["ssh", "deploy", "wake"]);

// Says whether a dotted key a doc names is one magi accepts, top-level or host-relative.
function isKnownKey(path: string): boolean {
  const normal = path.replace(/<[a-z_]+>/g, "*");
  return KNOWN.has(normal) || (HOST_SECTIONS.has(normal.split(".")[0]!) && KNOWN.has(`hosts.*.${normal}`));
}

// Dotted keys in code spans that start with a magi section; other tools' keys (bridge.relay.enabled) are skipped.
function findDottedKeys(markdown: string): string[] {
  const spans = [...markdown.replace(/```[\s\S]*?```/g, "").matchAll(/`([a-z_]+(?:\.(?:[a-z_]+|<[a-z_]+>))+)`/g)].map((m) => m[1]!);
  return spans.filter((span) => SECTIONS.has(span.split(".")[0]!) || HOST_SECTIONS.has(span.split(".")[0]!));
}

// Key paths of every yaml block made only of magi's top-level sections (bridge config blocks are skipped).
function findYamlKeys(markdown: string): string[] {
  const paths: string[] = [];
  const walk = (value: unknown, prefix: string, isMap: boolean): void => {
    if (Array.isArray(value)) return value.forEach((item) => walk(item, `${prefix}.*`, false));
    if (typeof value !== "object" || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      // Record keys (room IDs, host names, user IDs) are data, not config keys.
      const path = isMap ? `${prefix}.*` : prefix ? `${prefix}.${key}` : key;
      paths.push(path);
      walk(child, path, !prefix ? ["rooms", "hosts"].includes(key) : path === "access.users");
    }
  };
  for (const block of markdown.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    const doc: unknown = parse(block[1]!);
    if (typeof doc !== "object" || doc === null || !Object.keys(doc).every((k) => SECTIONS.has(k))) continue;
    walk(doc, "", false);
  }
  return paths;
}

describe("deploy and bridging docs", () => {
  const docs = ["docs/deploys.md", "docs/bridging-mautrix-slack.md"].map((file) => ({ file, text: readFileSync(file, "utf8") }));

  it("name only magi config keys that exist in config/schema.ts", () => {
    const unknown = docs.flatMap(({ file, text }) => findDottedKeys(text).filter((k) => !isKnownKey(k)).map((k) => `${file}: ${k}`));
    expect(unknown).toEqual([]);
  });

  it("show magi config snippets whose keys all exist in config/schema.ts", () => {
    const unknown = docs.flatMap(({ file, text }) => findYamlKeys(text).filter((k) => !KNOWN.has(k)).map((k) => `${file}: ${k}`));
    expect(unknown).toEqual([]);
  });

  it("actually check the keys users must set for Slack and for deploys", () => {
    const named = new Set(docs.flatMap(({ text }) => [...findDottedKeys(text).map((k) => k.replace(/<[a-z_]+>/g, "*")), ...findYamlKeys(text)]));
    for (const key of ["rooms.*.reply_msgtype", "access.patterns.*.glob", "deploy.flake_dir", "hosts.*.deploy.flake_url", "hosts.*.deploy.privilege_flag", "access.users"]) {
      expect(named, key).toContain(key);
    }
  });

  it("would catch a misspelt key, in prose or in a snippet", () => {
    expect(findDottedKeys("set `hosts.<name>.deploy.flake_atr` and `bridge.relay.enabled`").filter((k) => !isKnownKey(k))).toEqual(["hosts.<name>.deploy.flake_atr"]);
    expect(findDottedKeys("`ssh.sudos`").filter((k) => !isKnownKey(k))).toEqual(["ssh.sudos"]);
    const snippet = "```yaml\nrooms:\n  \"!a:b\":\n    reply_type: m.text\n```\n```yaml\nbridge:\n  relay: { enabled: true }\n```";
    expect(findYamlKeys(snippet).filter((k) => !KNOWN.has(k))).toEqual(["rooms.*.reply_type"]);
  });
});
