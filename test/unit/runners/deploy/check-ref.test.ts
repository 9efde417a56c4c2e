import { describe, expect, it } from "vitest";
import { checkConfigName, checkRef, looksLikeSha } from "../../../../runners/flake/check-ref.ts";
import { listCandidates } from "../../../../runners/flake/resolve-revision.ts";

describe("checkRef", () => {
  it.each(["main", "feature/k3s-upgrade", "v1.2.3", "release-2025.06", "a1b2c3d", "0123456789abcdef0123456789abcdef01234567", "origin/main", "fix+tests"])("accepts %j", (ref) => {
    expect(checkRef(ref)).toBeUndefined();
  });

  it.each([
    ["", "the revision is empty"],
    ["x".repeat(101), `revision "${"x".repeat(40)}…" is longer than 100 characters`],
    ["--upload-pack=touch /tmp/pwned", 'revision "--upload-pack=touch /tmp/pwned" contains whitespace'],
    ["--output=/etc/passwd", 'revision "--output=/etc/passwd" must not start with "-"'],
    ["-n", 'revision "-n" must not start with "-"'],
    ["main..evil", 'revision "main..evil" must not contain ".." (give one branch, tag or commit, not a range)'],
    ["main evil", 'revision "main evil" contains whitespace'],
    ["main\tx", 'revision "main\\tx" contains control characters'],
    ["main\u0000", 'revision "main\\u0000" contains control characters'],
    ["HEAD:flake.nix", 'revision "HEAD:flake.nix" must not contain ":"'],
    ["a\\b", 'revision "a\\\\b" must not contain "\\"'],
    ["main~1", 'revision "main~1" must not contain "~" or "^" (give the commit itself)'],
    ["main^{tree}", 'revision "main^{tree}" must not contain "~" or "^" (give the commit itself)'],
    ["main@{yesterday}", 'revision "main@{yesterday}" must not use reflog syntax "@{…}"'],
    ["@", 'revision "@" must not use reflog syntax "@{…}"'],
    ["feat*", 'revision "feat*" may contain only letters, digits and . _ - / +'],
    ["$(id)", 'revision "$(id)" may contain only letters, digits and . _ - / +'],
    ["/main", 'revision "/main" has an empty path component'],
    ["a//b", 'revision "a//b" has an empty path component'],
  ])("refuses %j", (ref, message) => {
    expect(checkRef(ref)).toBe(message);
  });
});

describe("checkConfigName", () => {
  it("accepts plain remote and branch names and refuses the rest", () => {
    expect(checkConfigName("remote", "origin")).toBeUndefined();
    expect(checkConfigName("branch", "release/25.05")).toBeUndefined();
    expect(checkConfigName("remote", "--upload-pack=x")).toMatch(/^deploy\.remote "--upload-pack=x" is not a plain git name \(/);
    expect(checkConfigName("branch", "a..b")).toMatch(/^deploy\.branch "a\.\.b" is not a plain git name \(/);
  });
});

describe("listCandidates", () => {
  it("defaults to the configured remote branch", () => {
    expect(listCandidates(undefined, "origin", "main")).toEqual(["refs/remotes/origin/main"]);
  });

  it("tries the remote branch, then the tag, then a commit prefix; never a local branch", () => {
    expect(listCandidates("cafe", "origin", "main")).toEqual(["refs/remotes/origin/cafe", "refs/tags/cafe", "cafe"]);
    expect(listCandidates("v1.2", "origin", "main")).toEqual(["refs/remotes/origin/v1.2", "refs/tags/v1.2"]);
  });

  it("accepts a ref already naming the remote", () => {
    expect(listCandidates("origin/main", "origin", "main")).toEqual(["refs/remotes/origin/origin/main", "refs/tags/origin/main", "refs/remotes/origin/main"]);
  });

  it("recognises commit ids by shape", () => {
    expect(looksLikeSha("a1b2")).toBe(true);
    expect(looksLikeSha("a1b")).toBe(false);
    expect(looksLikeSha("A1B2C3D")).toBe(false);
    expect(looksLikeSha("main")).toBe(false);
  });
});
