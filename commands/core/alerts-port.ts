// What !alerts reads: the alert groups with something firing now, without knowing where they are stored.

// One firing alert of a group.
export interface FiringAlert {
  alertname: string;
  instance: string | undefined;
  severity: string | undefined;
  since: number;
}

// One group with firing alerts: its route, how its message names it, and the alerts.
export interface FiringGroup {
  route: string;
  name: string;
  alerts: FiringAlert[];
}

// Lists what is firing, oldest group first.
export interface AlertsPort {
  firing(): FiringGroup[];
}
