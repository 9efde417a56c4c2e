import { describe, expect, it } from "vitest";
import { buildMagicPacket, MAGIC_PACKET_LENGTH, parseMac } from "../../../../runners/wol/magic-packet.ts";
import { checkDestination } from "../../../../runners/wol/destination.ts";
import { buildWakeonlanArgv } from "../../../../runners/wol/send-via-relay.ts";

// The expected packet written out by hand, independent of the builder's loop.
const MAC_HEX = "001122aabbcc";
const EXPECTED_HEX = "ffffffffffff" + MAC_HEX.repeat(16);

describe("buildMagicPacket", () => {
  it("builds 6 × 0xFF followed by the MAC 16 times, 102 bytes", () => {
    const built = buildMagicPacket("00:11:22:aa:bb:cc");
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(MAGIC_PACKET_LENGTH).toBe(102);
    expect(built.packet.length).toBe(102);
    expect(built.packet.toString("hex")).toBe(EXPECTED_HEX);
    expect(built.canonical).toBe("00:11:22:aa:bb:cc");
  });

  it("accepts dashes and upper case and gives the same bytes and a colon form", () => {
    const built = buildMagicPacket("00-11-22-AA-BB-CC");
    expect(built).toMatchObject({ ok: true, canonical: "00:11:22:aa:bb:cc" });
    if (built.ok) expect(built.packet.toString("hex")).toBe(EXPECTED_HEX);
  });

  it.each([
    ["", "empty"],
    ["00:11:22:aa:bb", "five octets"],
    ["00:11:22:aa:bb:cc:dd", "seven octets"],
    ["00:11:22:aa:bb:c", "short last octet"],
    ["0:11:22:aa:bb:cc", "short first octet"],
    ["00:11:22:aa:bb:cg", "not hex"],
    ["00:11-22:aa:bb:cc", "mixed separators"],
    ["001122aabbcc", "no separators"],
    ["00.11.22.aa.bb.cc", "dots"],
    [" 00:11:22:aa:bb:cc", "leading space"],
    ["00:11:22:aa:bb:cc\n", "trailing newline"],
    ["-i 1.2.3.4", "option-looking"],
    ["ff:ff:ff:ff:ff:ff", "broadcast"],
    ["00:00:00:00:00:00", "all zeros"],
    ["01:00:5e:00:00:01", "multicast"],
  ])("refuses %j (%s) with a problem, not an exception", (mac) => {
    const built = buildMagicPacket(mac);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.problem).toMatch(/MAC address/);
  });

  it("quotes and shortens garbage in the problem", () => {
    const parsed = parseMac("x".repeat(100));
    expect(parsed).toEqual({ ok: false, problem: `"${"x".repeat(40)}…" is not a MAC address like 00:11:22:33:44:55` });
  });
});

describe("checkDestination", () => {
  it("accepts IPv4 addresses and ports in range", () => {
    expect(checkDestination({ broadcast: "192.168.1.255", port: 9 })).toBeUndefined();
    expect(checkDestination({ broadcast: "255.255.255.255", port: 65535 })).toBeUndefined();
  });

  it.each([
    [{ broadcast: "256.1.1.1", port: 9 }],
    [{ broadcast: "-f/etc/passwd", port: 9 }],
    [{ broadcast: "nas.lan", port: 9 }],
    [{ broadcast: "10.0.0.255", port: 0 }],
    [{ broadcast: "10.0.0.255", port: 70000 }],
    [{ broadcast: "10.0.0.255", port: 9.5 }],
  ])("refuses %j", (dest) => {
    expect(checkDestination(dest)).toBeTypeOf("string");
  });
});

describe("buildWakeonlanArgv", () => {
  it("is a fixed template: tool, -i broadcast, -p port, colon MAC", () => {
    expect(buildWakeonlanArgv("00:11:22:aa:bb:cc", { broadcast: "10.0.0.255", port: 9 })).toEqual([
      "wakeonlan", "-i", "10.0.0.255", "-p", "9", "00:11:22:aa:bb:cc",
    ]);
  });
});
