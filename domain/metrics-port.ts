// What magi counts about itself, as a port: every layer reports through it, http/ exports it as Prometheus metrics.
// Labels take only values from short fixed sets (command names, job states, config route names), never user, event
// or room ids, so a metric's series stay few however busy the rooms are.

// What became of one command message: run at once, waiting for approval, or refused (and why).
export type CommandDecision = "ran" | "awaiting_approval" | "refused" | "denied" | "invalid" | "unknown" | "stale";

// How an approval request ended, or that it was made.
export type ApprovalOutcome = "requested" | "approved" | "rejected" | "expired" | "cancelled";

// Why the homeserver did not take a message on one attempt.
export type SendFailure = "rate_limited" | "retried" | "too_large" | "refused";

// What alert messages magi hands to the send queue: a group's first message, or an edit of it.
export type AlertMessageKind = "posted" | "edited";

// The counting port; each method is cheap and never throws.
export interface MetricsPort {
  countCommand(command: string, decision: CommandDecision): void;
  // A job reached its final state; seconds is how long it ran (null when it never started).
  countJobEnd(kind: string, state: string, seconds: number | null): void;
  countApproval(outcome: ApprovalOutcome): void;
  // An Alertmanager notification was stored; changed is false for a resend that alters no message.
  countAlertNotification(route: string, changed: boolean): void;
  countAlertMessage(kind: AlertMessageKind): void;
  countSendFailure(reason: SendFailure): void;
  countSshConnectFailure(reason: string): void;
}

const ignore = () => undefined;

// The port for code run without metrics (tools, tests): counts nothing.
export const NO_METRICS: MetricsPort = {
  countCommand: ignore, countJobEnd: ignore, countApproval: ignore, countAlertNotification: ignore,
  countAlertMessage: ignore, countSendFailure: ignore, countSshConnectFailure: ignore,
};
