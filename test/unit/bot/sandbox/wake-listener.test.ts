// The sandbox's stand-in network card: a real magic packet over loopback UDP powers on the demo host
// with that MAC; anything else is dropped.
import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { readMagicPacket, startWakeListener, type WakeListener } from "../../../../bot/sandbox/wake-listener.ts";
import { buildMagicPacket } from "../../../../runners/wol/magic-packet.ts";
import { sendMagicPacket } from "../../../../runners/wol/send-magic-packet.ts";

const KAJI = "52:54:00:6d:61:03";

function packetFor(mac: string): Buffer {
  const built = buildMagicPacket(mac);
  if (!built.ok) throw new Error(built.problem);
  return built.packet;
}

async function sendRaw(port: number, bytes: Buffer): Promise<void> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve, reject) => socket.send(bytes, port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
  socket.close();
}

describe("readMagicPacket", () => {
  it("reads the MAC of a valid packet, in magi's canonical form", () => {
    expect(readMagicPacket(packetFor("52-54-00-6D-61-03"))).toBe(KAJI);
  });

  it("ignores garbage: wrong length, no sync stream, copies that differ, broadcast MAC", () => {
    const good = packetFor(KAJI);
    expect(readMagicPacket(good.subarray(0, 101))).toBeUndefined();
    expect(readMagicPacket(Buffer.concat([good, Buffer.from([0])]))).toBeUndefined();
    const noSync = Buffer.from(good);
    noSync[2] = 0xfe;
    expect(readMagicPacket(noSync)).toBeUndefined();
    const mixed = Buffer.from(good);
    mixed[6 + 15 * 6] = 0x00;
    expect(readMagicPacket(mixed)).toBeUndefined();
    expect(readMagicPacket(Buffer.alloc(102, 0xff))).toBeUndefined();
    expect(readMagicPacket(Buffer.from("wake up kaji"))).toBeUndefined();
  });
});

describe("startWakeListener", () => {
  let listener: WakeListener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  it("powers on the host whose MAC magi's own sender names, and drops garbage and unknown MACs", async () => {
    const woken: string[] = [];
    const lines: string[] = [];
    listener = await startWakeListener(0, (mac) => (woken.push(mac), mac === KAJI), (l) => lines.push(l));
    await sendRaw(listener.port, Buffer.from("garbage"));
    await sendRaw(listener.port, Buffer.alloc(102, 0xff));
    expect(await sendMagicPacket("52:54:00:6d:61:99", { broadcast: "127.0.0.1", port: listener.port })).toMatchObject({ ok: true });
    expect(await sendMagicPacket(KAJI, { broadcast: "127.0.0.1", port: listener.port })).toMatchObject({ ok: true });
    const deadline = Date.now() + 2_000;
    while (woken.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(woken).toEqual(["52:54:00:6d:61:99", KAJI]);
    expect(lines).toEqual([`magic packet for ${KAJI}: powering on`]);
  });
});
