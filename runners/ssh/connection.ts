import type { NodeSSH } from "node-ssh";
import type { SshTarget } from "./target.ts";

// The slice of ssh2's Client we touch (node-ssh's typings leave it untyped here).
export type RawClient = {
  on(event: "error", fn: (err: Error) => void): unknown;
  on(event: "close" | "end", fn: () => void): unknown;
  end(): void;
  destroy(): void;
};

// An open connection plus its health; `broken` flips once and never back.
export type SshConnection = {
  target: SshTarget;
  ssh: NodeSSH;
  isBroken: () => boolean;
  brokenReason: () => string | undefined;
  onBroken: (fn: (reason: string) => void) => () => void;
  close: () => void;
};

// Wraps a client from the start of its handshake so every error is caught and marks it broken.
export function wrapConnection(target: SshTarget, ssh: NodeSSH, client: RawClient): SshConnection {
  let broken: string | undefined;
  const listeners: ((reason: string) => void)[] = [];
  const markBroken = (reason: string) => {
    if (broken !== undefined) return;
    broken = reason;
    for (const fn of listeners.splice(0)) fn(reason);
  };
  // Persistent: without it a keepalive timeout is an unhandled 'error' that kills the process.
  client.on("error", (err) => markBroken(err.message));
  client.on("close", () => markBroken("connection closed"));
  client.on("end", () => markBroken("connection closed"));
  return {
    target,
    ssh,
    isBroken: () => broken !== undefined,
    brokenReason: () => broken,
    onBroken: (fn) => {
      if (broken !== undefined) fn(broken);
      else listeners.push(fn);
      // Commands subscribe per run on a shared connection; unsubscribing keeps the list short.
      return () => {
        const at = listeners.indexOf(fn);
        if (at >= 0) listeners.splice(at, 1);
      };
    },
    close: () => {
      markBroken("closed by magi");
      client.end();
      // end() waits for the peer; a frozen peer would keep the socket forever.
      setTimeout(() => client.destroy(), 2_000).unref();
    },
  };
}

