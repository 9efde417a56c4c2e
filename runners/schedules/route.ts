// How scheduled checks' alerts are filed among alert routes: one route per schedule, and a name for all of them that
// magi's own silences use when they were not made from one schedule's message.

const PREFIX = "schedule:";

// The alert route a schedule's groups are stored under.
export const scheduleRoute = (schedule: string): string => `${PREFIX}${schedule}`;

// The route of a silence that covers every schedule's alerts.
export const ALL_SCHEDULES_ROUTE = "schedules";

// Tells whether an alert route (or a silence's route) belongs to the scheduled checks, whose silences magi holds.
export function isScheduleRoute(route: string): boolean {
  return route.startsWith(PREFIX) || route === ALL_SCHEDULES_ROUTE;
}

// The schedule a route names, or undefined for other routes.
export function scheduleOf(route: string): string | undefined {
  return route.startsWith(PREFIX) ? route.slice(PREFIX.length) : undefined;
}

// The labels a silence made in reply to a schedule alert matches: that problem on that host, whatever its text says
// next (the alertname is the problem's text, which changes when a degraded pool faults).
export const SCHEDULE_REPLY_LABELS: readonly string[] = ["host", "kind", "key", "schedule"];

// Label names only magi's schedule alerts carry: explicit matchers naming one are silenced by magi, not Alertmanager.
export const SCHEDULE_ONLY_LABELS: readonly string[] = ["schedule", "kind"];
