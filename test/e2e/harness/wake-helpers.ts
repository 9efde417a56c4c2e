// Pieces for Wake-on-LAN e2e tests: a UDP listener standing in for a sleeping NIC, and an sshd that
// can be "powered on" again later with the same keys and port.
import { spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { join } from "node:path";
import { waitForSshBanner } from "../../../bot/sandbox/prepare-sshd.ts";
import type { TestSshd } from "./sshd.ts";

// A bound UDP socket that records every datagram it gets.
export type UdpListener = {
  address: string;
  port: number;
  packets: Buffer[];
  onPacket: (fn: (packet: Buffer) => void) => void;
  waitForPackets: (count: number, timeoutMs?: number) => Promise<Buffer[]>;
  close: () => void;
};

// Binds to address on a free port; binding to 127.255.255.255 receives what is broadcast there,
// and the kernel refuses that send (EACCES) unless the sender set SO_BROADCAST.
export async function startUdpListener(address = "127.255.255.255"): Promise<UdpListener> {
  const socket = createSocket("udp4");
  socket.bind(0, address);
  await once(socket, "listening");
  const packets: Buffer[] = [];
  const handlers: ((packet: Buffer) => void)[] = [];
  socket.on("message", (msg: Buffer) => {
    packets.push(msg);
    for (const fn of handlers) fn(msg);
  });
  return {
    address,
    port: socket.address().port,
    packets,
    onPacket: (fn) => handlers.push(fn),
    waitForPackets: async (count, timeoutMs = 3_000) => {
      const deadline = Date.now() + timeoutMs;
      while (packets.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return packets;
    },
    close: () => socket.close(),
  };
}

// A relaunched sshd and how to stop it.
export type Relaunched = { child: ChildProcess; stop: () => Promise<void> };

// Starts sshd again from the config startSshd wrote for a stopped test host: same host key, same
// port, so a pin taken before it was "asleep" still matches.
export async function relaunchSshd(sshd: TestSshd, dir: string): Promise<Relaunched> {
  const config = join(dir, sshd.name, "sshd_config");
  const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", config], { stdio: "ignore" });
  const kill = () => child.exitCode === null && child.kill("SIGKILL");
  process.once("exit", kill);
  const deadline = Date.now() + 10_000;
  while (!(await waitForSshBanner(sshd.port, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sshd ${sshd.name} did not come back on ${sshd.port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    child,
    stop: async () => {
      process.off("exit", kill);
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
