// The commented-out http and alerts sections of config.example.yaml are valid once uncommented. Run alone:
// npx vitest run test/unit/http/config-example.test.ts
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { configSchema } from "../../../config/schema.ts";

describe("config.example.yaml's HTTP intake sections", () => {
  it("validate when uncommented, with every key of http and alerts.routes shown", () => {
    const text = readFileSync("config.example.yaml", "utf8");
    // The "# http:" and "# alerts:" blocks: each header and the indented lines right under it.
    const picked: string[] = [];
    let inBlock = false;
    for (const line of text.split("\n")) {
      inBlock = /^# (http|alerts):/.test(line) || (inBlock && /^# {3}/.test(line));
      if (inBlock) picked.push(line.slice(2));
    }
    const uncommented = picked.join("\n");
    const example = parse(uncommented) as { http: object; alerts: { routes: Record<string, object> } };
    expect(Object.keys(example.http).sort()).toEqual(["body_limit_bytes", "credentials_file", "listen", "metrics_credentials_file"]);
    expect(Object.keys(example.alerts.routes.ops!).sort()).toEqual(["alertmanager_url", "credentials_file", "mention", "room"]);
    const base = parse(text) as Record<string, unknown>;
    const result = configSchema.safeParse(parse(stringify({ ...base, ...example })));
    expect(result.error?.issues ?? []).toEqual([]);
    expect(result.data?.http?.listen).toBe("127.0.0.1:9187");
  });

  it("refuses a listen address without a port, naming the key", () => {
    const base = parse(readFileSync("config.example.yaml", "utf8")) as Record<string, unknown>;
    const result = configSchema.safeParse({ ...base, http: { listen: "127.0.0.1", credentials_file: "/x" } });
    expect(result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["http.listen: expected host:port, like 127.0.0.1:9187"]);
  });
});

describe("HTTP intake secrets in config", () => {
  it("are resolved against the config file's directory like every other path", async () => {
    const { parseConfig } = await import("../../../config/load-config.ts");
    const text = stringify({
      matrix: { homeserver_url: "https://m.example.org", user_id: "@magi:example.org", access_token_file: "token" }, rooms: {},
      http: { listen: "127.0.0.1:9187", credentials_file: "health", metrics_credentials_file: "metrics" }, alerts: { routes: { ops: { room: "!a:example.org", credentials_file: "secrets/ops" } } },
    });
    const result = parseConfig(text, "/etc/magi");
    expect(result.ok && [result.config.http?.credentials_file, result.config.http?.metrics_credentials_file, result.config.alerts.routes.ops?.credentials_file]).toEqual(["/etc/magi/health", "/etc/magi/metrics", "/etc/magi/secrets/ops"]);
  });
});
