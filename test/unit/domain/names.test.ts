// Host names and selectors: what is accepted, what is refused, and the exact words of the refusal.
import { describe, expect, it } from "vitest";
import { HOST_NAME_MESSAGE, isName, MATCHER_PATTERN, parseSelector, SELECTOR_MESSAGE } from "../../../domain/names.ts";

const REFUSED = "expected a host name from !hosts (lower-case letters, digits and dashes), a @tag, a,b or all";

describe("host names", () => {
  it("accepts lower-case letters, digits and inner dashes up to 63 characters", () => {
    for (const name of ["misato", "nas", "k3s-1", "0", "a".repeat(63)]) expect(isName(name)).toBe(true);
  });

  it("refuses everything else", () => {
    for (const name of ["", "-x", "Misato", "a_b", "a.b", "10.0.0.1", "../etc", "a b", "$(id)", "a;b", "é", "a".repeat(64), "@k3s", "a,b"]) {
      expect(isName(name)).toBe(false);
    }
  });

  it("says why in one sentence naming the alphabet", () => {
    expect(HOST_NAME_MESSAGE).toBe("expected a host name from !hosts (lower-case letters, digits and dashes)");
    expect(SELECTOR_MESSAGE).toBe(REFUSED);
  });
});

describe("parseSelector", () => {
  it("reads all, a tag and a list of names", () => {
    expect(parseSelector("all")).toEqual({ kind: "all" });
    expect(parseSelector("@k3s")).toEqual({ kind: "tag", tag: "k3s" });
    expect(parseSelector("misato")).toEqual({ kind: "names", names: ["misato"] });
    expect(parseSelector("misato,nas")).toEqual({ kind: "names", names: ["misato", "nas"] });
  });

  it("refuses paths, addresses, shell text, empty parts and mixed forms with the same message", () => {
    for (const text of ["", "../etc", "127.0.0.1", "misato;reboot", "$(id)", "@", "@K3S", "misato,", ",nas", "a,,b", "@k3s,nas", "ALL", "-rf"]) {
      expect(parseSelector(text)).toEqual({ problem: REFUSED });
    }
  });
});

describe("approval rule matchers", () => {
  it("are a name or a @tag", () => {
    expect(["misato", "@k3s"].map((m) => MATCHER_PATTERN.test(m))).toEqual([true, true]);
    expect(["all,nas", "@", "@@k3s", "Misato", "misato; rm -rf /"].map((m) => MATCHER_PATTERN.test(m))).toEqual([false, false, false, false, false]);
  });
});
