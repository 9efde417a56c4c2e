// The metrics port kept in a prom-client registry of its own and rendered for GET /metrics. Names follow Prometheus'
// conventions: the magi_ prefix, counters ending in _total, durations in seconds.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { findCommand } from "../commands/core/find-command.ts";
import { COMMANDS } from "../commands/registry.ts";
import type { MetricsPort } from "../domain/metrics-port.ts";

const PREFIX = "magi_";

// From a status check (a second) to a long deploy (an hour).
const JOB_SECONDS_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

// The route label of a request no route matched, so a scan of random paths adds one series, not one per path.
export const UNMATCHED_ROUTE = "unmatched";
// The command label of a name magi has no command for, for the same reason.
export const UNKNOWN_COMMAND = "unknown";

// The port plus what only the HTTP intake reports, and the text a scrape reads.
export interface PrometheusMetrics extends MetricsPort {
  // route is the route's pattern (/alertmanager/:route), never the raw url.
  countHttpRequest(route: string, status: number): void;
  countHttpRefused(route: string, status: number): void;
  contentType: string;
  render(): Promise<string>;
}

// What the gauges read at scrape time.
export interface MetricsSources {
  readOutboxDepth(): number;
}

// Creates the registry with every magi metric and Node's process metrics.
export function createPrometheusMetrics(sources: MetricsSources): PrometheusMetrics {
  const registers = [new Registry()];
  const [registry] = registers as [Registry];
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new Counter({ name: PREFIX + name, help, labelNames, registers });
  const commands = counter("commands_total", "Command messages by command name and what became of them.", ["command", "decision"]);
  const jobs = counter("jobs_total", "Jobs that reached a final state, by kind (the command that started them) and state.", ["kind", "state"]);
  const jobSeconds = new Histogram({ name: `${PREFIX}job_duration_seconds`, help: "How long jobs ran, from start to final state.", labelNames: ["kind", "state"], buckets: JOB_SECONDS_BUCKETS, registers });
  const approvals = counter("approvals_total", "Approval requests made (requested) and how they were decided.", ["outcome"]);
  const alertsReceived = counter("alerts_received_total", "Alertmanager notifications stored, by route.", ["route"]);
  const alertsDeduplicated = counter("alerts_deduplicated_total", "Stored Alertmanager notifications that changed no message (resends), by route.", ["route"]);
  const alertMessages = counter("alert_messages_total", "Alert group messages queued for the room: first posts and edits.", ["kind"]);
  const sendFailures = counter("matrix_send_failures_total", "Failed attempts to send a message to the homeserver, by reason.", ["reason"]);
  const sshFailures = counter("ssh_connect_failures_total", "SSH connections to hosts that could not be opened, by reason.", ["reason"]);
  const httpRequests = counter("http_requests_total", "HTTP requests answered, by route pattern and status code.", ["route", "status"]);
  const httpRefused = counter("http_requests_refused_total", "HTTP requests refused before anything was stored (404, 401, 405, 413, 400), by route pattern and status code.", ["route", "status"]);
  new Gauge({
    name: `${PREFIX}outbox_depth`, help: "Messages stored in the outbox and not yet sent to the homeserver.", registers,
    collect() {
      this.set(sources.readOutboxDepth());
    },
  });
  return {
    countCommand: (command, decision) => commands.inc({ command: findCommand(COMMANDS, command)?.name ?? UNKNOWN_COMMAND, decision }),
    countJobEnd: (kind, state, seconds) => {
      jobs.inc({ kind, state });
      if (seconds !== null) jobSeconds.observe({ kind, state }, seconds);
    },
    countApproval: (outcome) => approvals.inc({ outcome }),
    countAlertNotification: (route, changed) => {
      alertsReceived.inc({ route });
      if (!changed) alertsDeduplicated.inc({ route });
    },
    countAlertMessage: (kind) => alertMessages.inc({ kind }),
    countSendFailure: (reason) => sendFailures.inc({ reason }),
    countSshConnectFailure: (reason) => sshFailures.inc({ reason }),
    countHttpRequest: (route, status) => httpRequests.inc({ route, status: String(status) }),
    countHttpRefused: (route, status) => httpRefused.inc({ route, status: String(status) }),
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}
