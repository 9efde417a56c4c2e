import { PassThrough } from "node:stream";
import type { SshConnection } from "./connection.ts";
import { createLineSplitter } from "./lines.ts";
import { buildRemoteCommand } from "./quote.ts";
import { createNotStartedResult, type CommandResult } from "./result.ts";
import { buildWrappedCommand, readStartLine, START_MARK, stripStartLine, type DisconnectPolicy, type RemoteStart } from "./wrapper.ts";

// Per-command options; timeoutMs counts from when the command is sent, not from connect.
export type ExecOptions = {
  timeoutMs: number;
  signal?: AbortSignal;
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  sudo?: boolean;
  // Default "detach": a lost connection mid `nixos-rebuild switch` must not kill the switch.
  onDisconnect?: DisconnectPolicy;
  // Wait between TERM and KILL, and again between KILL and giving up on the channel.
  killGraceMs?: number;
  // The command reads the control lines ("TERM", "KILL", EOF) on its stdin itself and needs no
  // wrapper (the status probe script, which saves the host the wrapper's processes on every run);
  // onDisconnect is then the command's own business.
  handlesControl?: boolean;
  // Told who runs a detached command on the host, once, before any of its output (see wrapper.ts).
  onStart?: (started: RemoteStart) => void;
};

type Settled =
  | { kind: "done"; code: number | null; signal: string | null }
  | { kind: "error"; message: string }
  | { kind: "gave-up" };

type Stop = "timeout" | "canceled";

// Turns how the channel ended into the result callers see.
function describe(
  name: string,
  settled: Settled,
  stopped: Stop | undefined,
  opts: ExecOptions,
  lost: string | undefined,
): Omit<CommandResult, "command" | "stdout" | "stderr"> {
  const code = settled.kind === "done" ? settled.code : null;
  const signal = settled.kind === "done" ? settled.signal : null;
  const base = { exitCode: code, signal, timedOut: stopped === "timeout", isCanceled: stopped === "canceled" };
  const unanswered = settled.kind === "gave-up" ? "; the host did not confirm the kill" : "";
  if (stopped === "timeout") return { ...base, failed: true, reason: stopped, message: `timed out after ${opts.timeoutMs} ms on ${name}${unanswered}` };
  if (stopped === "canceled") return { ...base, failed: true, reason: stopped, message: `canceled on ${name}${unanswered}` };
  if (settled.kind === "error") return { ...base, failed: true, reason: lost ? "connection-lost" : "connect", message: `cannot run command on ${name}: ${settled.message}` };
  if (code === 0) return { ...base, failed: false, message: `exited with code 0 on ${name}` };
  if (code !== null) return { ...base, failed: true, reason: "exit-code", message: `exited with code ${code} on ${name}` };
  if (signal !== null) return { ...base, failed: true, reason: "signal", message: `killed by ${signal} on ${name}` };
  // node-ssh reports code: null when the connection died under the channel (keepalive timeout).
  if (lost) return { ...base, failed: true, reason: "connection-lost", message: `connection to ${name} lost: ${lost}` };
  return { ...base, failed: true, reason: "no-exit-status", message: `${name} closed the session without an exit status` };
}

// Runs argv on an open connection with timeout, cancellation and line streaming.
export async function execOnConnection(connection: SshConnection, argv: readonly string[], opts: ExecOptions): Promise<CommandResult> {
  const name = connection.target.name;
  const command = buildRemoteCommand(argv, opts.sudo);
  if (opts.signal?.aborted) return createNotStartedResult(command, "canceled", `canceled on ${name} before it started`, { isCanceled: true });
  const grace = opts.killGraceMs ?? 3_000;
  // A faulty listener must not lose the command's result.
  const guard = (call: () => void) => {
    try {
      call();
    } catch {
      // Ignored on purpose, see above.
    }
  };
  const emit = (stream: "stdout" | "stderr") => (line: string) => guard(() => opts.onLine?.(line, stream));
  const out = createLineSplitter(emit("stdout"));
  // A detached command's first stderr line is the wrapper's start line: it goes to onStart, never to the user.
  const marked = !opts.handlesControl && (opts.onDisconnect ?? "detach") === "detach";
  let first = marked;
  const err = createLineSplitter((line) => {
    const isStart = first && line.startsWith(`${START_MARK}\t`);
    first = false;
    if (!isStart) return emit("stderr")(line);
    const started = readStartLine(line);
    if (started) guard(() => opts.onStart?.(started));
  });
  // Stdin stays open for the whole run: it carries kill requests to the wrapper.
  const control = new PassThrough();
  const timers: NodeJS.Timeout[] = [];
  let closeChannel = () => {};
  let giveUp = () => {};
  const gaveUp = new Promise<Settled>((resolve) => (giveUp = () => resolve({ kind: "gave-up" })));
  let stopped: Stop | undefined;
  const stop = (why: Stop) => {
    if (stopped) return;
    stopped = why;
    control.write("TERM\n");
    timers.push(setTimeout(() => {
      control.write("KILL\n");
      timers.push(setTimeout(() => (closeChannel(), giveUp()), grace));
    }, grace));
  };
  timers.push(setTimeout(() => stop("timeout"), opts.timeoutMs));
  const onAbort = () => stop("canceled");
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  let lost: string | undefined;
  // ssh2 closes open channels when the socket dies; the delay only covers a channel still opening.
  const unsubscribe = connection.onBroken((reason) => {
    lost = reason;
    timers.push(setTimeout(giveUp, 1_000));
  });
  const remote = opts.handlesControl ? command : buildWrappedCommand(argv, { sudo: opts.sudo, onDisconnect: opts.onDisconnect });
  const running: Promise<Settled> = connection.ssh
    .execCommand(remote, {
      stdin: control,
      noTrim: true,
      onChannel: (channel) => (closeChannel = () => channel.close()),
      onStdout: (chunk) => out.push(chunk),
      onStderr: (chunk) => err.push(chunk),
    })
    .then(
      (r): Settled => ({ kind: "done", code: r.code, signal: r.signal }),
      (e: unknown): Settled => ({ kind: "error", message: e instanceof Error ? e.message : String(e) }),
    );
  const settled = await Promise.race([running, gaveUp]);
  for (const t of timers) clearTimeout(t);
  opts.signal?.removeEventListener("abort", onAbort);
  unsubscribe();
  control.end();
  // A host that ignores a KILL and a channel close is not a connection to reuse.
  if (settled.kind === "gave-up") connection.close();
  out.flush();
  err.flush();
  return { command, stdout: out.text(), stderr: marked ? stripStartLine(err.text()) : err.text(), ...describe(name, settled, stopped, opts, lost) };
}
