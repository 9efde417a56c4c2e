import { describe, expect, it } from "vitest";
import { coversAlerts, formatMatcher, looksLikeMatcher, matchesLabels, matchLabels, parseMatchers, type Matcher } from "../../../domain/matchers.ts";
import { parseDuration } from "../../../domain/period.ts";

describe("matchers as people type them", () => {
  it("reads the four operators into Alertmanager's shape and writes them back as amtool does", () => {
    const read = parseMatchers(["alertname=DiskFull", "instance!=nas", "job=~node.*", "mount!~/boot|/efi", "note=a=b"]);
    expect(read).toEqual([
      { name: "alertname", value: "DiskFull", isRegex: false, isEqual: true },
      { name: "instance", value: "nas", isRegex: false, isEqual: false },
      { name: "job", value: "node.*", isRegex: true, isEqual: true },
      { name: "mount", value: "/boot|/efi", isRegex: true, isEqual: false },
      { name: "note", value: "a=b", isRegex: false, isEqual: true },
    ]);
    expect((read as Exclude<typeof read, string>).map(formatMatcher)).toEqual(['alertname="DiskFull"', 'instance!="nas"', 'job=~"node.*"', 'mount!~"/boot|/efi"', 'note="a=b"']);
  });

  it("refuses bad label names, regexes that don't compile, and sets that would match every alert", () => {
    expect(parseMatchers(["1st=x"])).toBe('"1st" is not a label name (letters, digits and _, not starting with a digit)');
    expect(parseMatchers(["=x"])).toBe('"" is not a label name (letters, digits and _, not starting with a digit)');
    expect(parseMatchers(["host-name=x"])).toBe('"host-name" is not a label name (letters, digits and _, not starting with a digit)');
    expect(parseMatchers(["job=~[a-"])).toMatch(/^the regex in job=~\[a- does not compile: Invalid regular expression/);
    expect(parseMatchers(["job=~.*"])).toMatch(/^every one of these matchers also matches alerts without that label/);
    expect(parseMatchers(["job!=x", "env="])).toMatch(/^every one of these matchers/);
    expect(parseMatchers(["job!=x", "env=prod"])).toHaveLength(2);
  });

  it("reads RE2's (?i) and (?P<name>) spellings", () => {
    expect(parseMatchers(["alertname=~(?i)disk.*", "instance=~(?P<host>nas)"])).toHaveLength(2);
  });

  it("tells matcher tokens from a duration and reason words", () => {
    expect(["a=b", "a!=b", "a=~b", "a!~b", "2h", "disk", "!x"].map(looksLikeMatcher)).toEqual([true, true, true, true, false, false, false]);
  });

  it("turns a group's labels into equality matchers in name order", () => {
    expect(matchLabels({ severity: "warning", alertname: "DiskFull" }).map(formatMatcher)).toEqual(['alertname="DiskFull"', 'severity="warning"']);
  });
});

describe("durations", () => {
  const bounds = { minMs: 60_000, maxMs: 30 * 86_400_000, min: "1m", max: "30d" };
  it("reads minutes, hours, days, weeks and sums of them", () => {
    expect(["30m", "2h", "1d", "1w", "1h30m"].map((t) => parseDuration(t, bounds))).toEqual([1_800_000, 7_200_000, 86_400_000, 604_800_000, 5_400_000]);
  });
  it("names what is wrong, with the bounds", () => {
    expect(parseDuration("soon", bounds)).toBe('expected a duration like 30m, 2h, 1d or 1h30m, got "soon"');
    expect(parseDuration("2x", bounds)).toBe('expected a duration like 30m, 2h, 1d or 1h30m, got "2x"');
    expect(parseDuration("31d", bounds)).toBe("31d is too long: at most 30d");
    expect(parseDuration("0m", bounds)).toBe("0m is too short: at least 1m");
  });

  it("decides a group is silenced only when every firing alert in it matches every matcher, as Alertmanager would", () => {
    const m = parseMatchers(["alertname=DiskFull", "instance=~nas.*", "severity!=critical"]) as Matcher[];
    expect(matchesLabels(m, { alertname: "DiskFull", instance: "nas2" })).toBe(true);
    expect(matchesLabels(m, { alertname: "DiskFull", instance: "xnas2" })).toBe(false);
    expect(matchesLabels(m, { alertname: "DiskFull", instance: "nas", severity: "critical" })).toBe(false);
    const nas = { alertname: "DiskFull", instance: "nas" };
    expect(coversAlerts(m, [nas, { alertname: "DiskFull", instance: "nas-backup" }])).toBe(true);
    expect(coversAlerts(m, [nas, { alertname: "DiskFull", instance: "misato" }])).toBe(false);
    expect(coversAlerts(m, [])).toBe(false);
    expect(coversAlerts([], [nas])).toBe(false);
  });
});
