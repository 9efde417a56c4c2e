// A real Alertmanager on loopback for the alert tests: its binary (built by .ci/run), a config whose webhooks point at
// magi, and alerts pushed into it as Prometheus does.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { findFreePort } from "../../../bot/synapse/start-synapse.ts";
import { waitUntil } from "../../wait-until.ts";

// Where .ci/run puts Go's build of Alertmanager 0.28.1.
export const ALERTMANAGER = join(homedir(), ".cache", "magi", "go-bin", "alertmanager");

// Whether the binary is here; CI must have it, a developer's machine may skip these tests with a warning.
export function checkAlertmanager(): boolean {
  const present = existsSync(ALERTMANAGER);
  if (!present && process.env.CI === "true") throw new Error(`${ALERTMANAGER} is missing; .ci/run builds it (go install github.com/prometheus/alertmanager/cmd/alertmanager@v0.28.1)`);
  if (!present) console.warn(`skipping the Alertmanager tests: ${ALERTMANAGER} is missing (run .ci/run, or: GOBIN=~/.cache/magi/go-bin go install github.com/prometheus/alertmanager/cmd/alertmanager@v0.28.1)`);
  return present;
}

// A webhook receiver that posts to one of magi's routes with the route's bearer token file.
export function webhookReceiver(name: string, url: string, credentialsFile: string) {
  return { name, webhook_configs: [{ url, send_resolved: true, http_config: { authorization: { type: "Bearer", credentials_file: credentialsFile } } }] };
}

// An alert as Prometheus pushes it: labels, a summary, a start and, when resolved, an end.
export interface PushedAlert {
  name: string;
  startsAt: Date;
  endsAt?: Date;
  labels?: Record<string, string>;
}

// A running Alertmanager.
export interface RunningAlertmanager {
  url: string;
  push(alert: PushedAlert): Promise<void>;
  // Its webhook notifications so far, and how many failed (a non-2xx answer or no answer), from its own /metrics.
  countNotifications(): Promise<{ sent: number; failed: number }>;
  stop(): Promise<void>;
}

// Writes config (route and receivers) into dir and starts Alertmanager on free loopback ports.
export async function startAlertmanager(dir: string, config: { route: Record<string, unknown>; receivers: unknown[] }): Promise<RunningAlertmanager> {
  const [port, clusterPort] = [await findFreePort(), await findFreePort()];
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, "alertmanager.yml"), stringify(config));
  const child = spawn(ALERTMANAGER, [
    `--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "am-data")}`,
    `--web.listen-address=127.0.0.1:${port}`, `--cluster.listen-address=127.0.0.1:${clusterPort}`, "--log.level=warn",
  ], { stdio: "ignore" });
  const exited = once(child, "exit");
  await waitUntil("Alertmanager to be ready", () => fetch(`${url}/-/ready`).then((r) => r.ok, () => false), { timeoutMs: 20_000, intervalMs: 200 });
  const readCounter = (text: string, name: string) =>
    text.split("\n").filter((l) => l.startsWith(`${name}{`) && l.includes('integration="webhook"')).reduce((n, l) => n + Number(l.split(" ").pop()), 0);
  return {
    url,
    push: async ({ name, startsAt, endsAt, labels = {} }) => {
      const alert = {
        labels: { alertname: name, instance: "nas", severity: "warning", ...labels },
        annotations: { summary: `${name} on nas` },
        startsAt: startsAt.toISOString(), ...(endsAt ? { endsAt: endsAt.toISOString() } : {}),
        generatorURL: "http://prometheus.example/graph",
      };
      const r = await fetch(`${url}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([alert]) });
      if (r.status !== 200) throw new Error(`Alertmanager refused an alert: ${r.status} ${await r.text()}`);
    },
    countNotifications: async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return { sent: readCounter(text, "alertmanager_notifications_total"), failed: readCounter(text, "alertmanager_notifications_failed_total") };
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}
