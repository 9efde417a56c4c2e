// The forgejo section: defaults, the example, and mistakes named by their paths. Run alone: npx vitest run test/unit/config/forgejo-config.test.ts
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../../config/load-config.ts";
import { MINIMAL_YAML } from "./minimal-config.ts";

const HOSTS = `hosts:\n  misato: { address: 10.0.0.2, tags: [prod] }\n  kaji: { address: 10.0.0.3 }\n`;
const parse = (yaml: string) => parseConfig(`${MINIMAL_YAML}${HOSTS}${yaml}`, "/etc/magi");
const problems = (yaml: string) => {
  const result = parse(yaml);
  return result.ok ? [] : result.problems;
};

describe("forgejo config", () => {
  it("proposes by default, with no paths, and resolves the secret file against the config's directory", () => {
    const result = parse(`forgejo:\n  routes:\n    nixos: { repository: team/nixos-config, branch: main, room: "#ops:example.org", secret_file: forgejo-secret, proposes: ["@prod"] }\n`);
    expect(result.ok && result.config.forgejo.routes.nixos).toEqual({
      repository: "team/nixos-config", branch: "main", room: "#ops:example.org", secret_file: "/etc/magi/forgejo-secret", proposes: ["@prod"], mode: "propose", paths: {},
    });
  });

  it("is shown in config.example.yaml with every key", () => {
    const result = loadConfig("config.example.yaml");
    if (!result.ok) throw new Error(result.problems.join("; "));
    expect(Object.keys(result.config.forgejo.routes.nixos!).sort()).toEqual(["branch", "mode", "paths", "proposes", "repository", "room", "secret_file"]);
  });

  it("names an unknown host or tag, a repository without owner, and a deploy mode without deploy_as by their paths", () => {
    const route = (extra: string) => problems(`forgejo:\n  routes:\n    nixos: { branch: main, room: "#ops:example.org", secret_file: s, ${extra} }\n`);
    expect(route("repository: nixos-config")).toEqual([
      'forgejo.routes.nixos.repository: expected the repository\'s full name, like team/nixos-config, got "nixos-config"',
    ]);
    expect(route("repository: team/nixos-config, mode: deploy")).toEqual([
      'forgejo.routes.nixos.deploy_as: mode deploy needs deploy_as: the Matrix user the deploys run as (e.g. "@ci:example.org"), whose level and approval policies apply',
    ]);
    expect(route("repository: team/nixos-config, mode: deploy, deploy_as: ci")).toEqual([
      'forgejo.routes.nixos.deploy_as: expected a full Matrix user ID like @dan:example.org, got "ci"',
    ]);
    expect(route('repository: team/nixos-config, mode: deploy, deploy_as: "@ci:example.org"')).toEqual([]);
    expect(route(`repository: team/nixos-config, proposes: ["@lab", asuka], paths: { nas: ["hosts/nas/**"] }`)).toEqual([
      "forgejo.routes.nixos.proposes: no host has the tag @lab",
      "forgejo.routes.nixos.proposes: unknown host asuka",
      "forgejo.routes.nixos.paths: unknown host nas",
    ]);
  });
});
