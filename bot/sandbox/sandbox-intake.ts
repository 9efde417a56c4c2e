// The sandbox's HTTP intake: a loopback port, its secrets, and a sample Alertmanager notification to
// send with curl, so the alert path can be tried without running an Alertmanager.
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

// The name of the sandbox's Alertmanager route: POST /alertmanager/demo.
export const DEMO_ALERT_ROUTE = "demo";

// Where the intake listens and the files a person passes to curl.
export interface SandboxIntake {
  port: number;
  healthSecretFile: string;
  alertSecretFile: string;
  firingAlertFile: string;
  resolvedAlertFile: string;
}

// A loopback port that is free now: the previous run's when it still is, so printed commands keep working.
async function findFreePort(preferred: number | undefined): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(undefined));
      server.listen(port, "127.0.0.1", () => {
        const { port: bound } = server.address() as { port: number };
        server.close(() => resolve(bound));
      });
    });
  return (preferred ? await tryPort(preferred) : undefined) ?? (await tryPort(0))!;
}

// Keeps an existing secret across restarts; makes a new random one otherwise.
function ensureSecret(path: string): string {
  if (!existsSync(path)) writeFileSync(path, randomBytes(24).toString("base64url") + "\n", { mode: 0o600 });
  return path;
}

// One Alertmanager v4 notification about the demo NAS's disk, firing or resolved.
function demoNotification(status: "firing" | "resolved"): object {
  const startsAt = "2026-01-01T02:00:00Z";
  const labels = { alertname: "DiskFull", instance: "nas", severity: "warning" };
  return {
    version: "4", groupKey: '{}:{alertname="DiskFull"}', status, receiver: "magi", truncatedAlerts: 0,
    groupLabels: { alertname: "DiskFull" }, commonLabels: labels, commonAnnotations: {}, externalURL: "http://alertmanager.example:9093",
    alerts: [{
      status, labels, annotations: { summary: "tank is 93% full" }, startsAt,
      endsAt: status === "resolved" ? "2026-01-01T02:42:00Z" : "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus.example:9090/graph", fingerprint: "5a1e7d0c9b3f2e41",
    }],
  };
}

// Picks the port and writes the secrets (kept across restarts) and the sample notifications into dir.
export async function prepareSandboxIntake(dir: string, previousPort: number | undefined): Promise<SandboxIntake> {
  const firingAlertFile = join(dir, "demo-alert-firing.json");
  const resolvedAlertFile = join(dir, "demo-alert-resolved.json");
  writeFileSync(firingAlertFile, JSON.stringify(demoNotification("firing"), null, 2) + "\n");
  writeFileSync(resolvedAlertFile, JSON.stringify(demoNotification("resolved"), null, 2) + "\n");
  return {
    port: await findFreePort(previousPort),
    healthSecretFile: ensureSecret(join(dir, "http-token")),
    alertSecretFile: ensureSecret(join(dir, "alert-token")),
    firingAlertFile,
    resolvedAlertFile,
  };
}

// The banner lines that show how to send the sample alert and ask for health.
export function describeSandboxIntake(intake: SandboxIntake): string[] {
  const base = `http://127.0.0.1:${intake.port}`;
  const post = (file: string) => `curl -u am:$(cat ${intake.alertSecretFile}) -H 'content-type: application/json' --data @${file} ${base}/alertmanager/${DEMO_ALERT_ROUTE}`;
  return [
    `  alerts in:      ${post(intake.firingAlertFile)}`,
    `                  then the same with ${intake.resolvedAlertFile}: the message turns resolved in place (docs/alerts.md has the Alertmanager config)`,
    `  health:         curl -H "authorization: Bearer $(cat ${intake.healthSecretFile})" ${base}/healthz`,
  ];
}
