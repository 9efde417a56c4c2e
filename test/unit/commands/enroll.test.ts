// !enroll's arguments, prompt words and default policy, without a homeserver.
import { describe, expect, it } from "vitest";
import { describeArgsProblem } from "../../../commands/core/args.ts";
import { enrollArgs } from "../../../commands/core/enroll-args.ts";
import { describeEnrollWork } from "../../../commands/enroll.ts";
import { createPolicyLookup, defaultPolicies } from "../../../commands/core/policies.ts";
import { LEVELS } from "../../../domain/levels.ts";

const parse = (tokens: string[]) => {
  const result = enrollArgs.safeParse(tokens);
  return result.success ? result.data : describeArgsProblem(result.error);
};

describe("!enroll arguments", () => {
  it("takes a host, an optional pasted key line (comment included) and --replace", () => {
    expect(parse(["vps"])).toEqual({ host: "vps", replace: false, deploy: false });
    expect(parse(["vps", "--replace"])).toEqual({ host: "vps", replace: true, deploy: false });
    expect(parse(["vps", "--deploy", "--replace"])).toEqual({ host: "vps", replace: true, deploy: true });
    expect(parse(["vps", "ssh-ed25519", "AAAAC3Nz", "root@vps"])).toEqual({ host: "vps", pasted: "ssh-ed25519 AAAAC3Nz root@vps", replace: false, deploy: false });
  });

  it("refuses what is not a host name or a known option", () => {
    expect(parse([])).toBe("expected a host name");
    expect(parse(["vps", "--force"])).toBe("unknown option --force (the options are --replace and --deploy)");
    expect(parse(["127.0.0.1"])).toMatch(/^expected a host name from !hosts/);
  });
});

describe("the enroll prompt", () => {
  const plan = { host: "vps", keyLine: "ssh-ed25519 AAAA", fingerprint: "SHA256:abc", recipient: "age1xyz", files: ["secrets/vps/db.yaml"], pasted: false };

  it("names fingerprint, recipient, files and what to compare", () => {
    expect(describeEnrollWork(plan)).toBe("enroll vps: key SHA256:abc, age recipient age1xyz; re-encrypts secrets/vps/db.yaml. Compare with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host's console, then react ✅");
  });

  it("says a pasted key needs no comparison, and what --replace removes", () => {
    expect(describeEnrollWork({ ...plan, pasted: true, files: [], previous: { fingerprint: "SHA256:old", recipient: "age1old" } }))
      .toBe("enroll vps: key SHA256:abc, age recipient age1xyz; replaces SHA256:old (age1old), whose recipient is removed; re-encrypts no file yet (none matches its rules). The host presents exactly the pasted key");
  });

  it("needs another admin by default", () => {
    expect(createPolicyLookup([], () => [], defaultPolicies(300_000))("enroll", ["vps"])).toEqual({ approvals: 1, minLevel: LEVELS.admin, self: "forbidden", expiresMs: 15 * 60_000 });
  });
});
