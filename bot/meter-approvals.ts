// Approval metrics counted where a request's state is stored: a decision counts only for the one caller whose
// transition took effect, so replays and racing voters never count twice.
import type { MetricsPort } from "../domain/metrics-port.ts";
import type { ApprovalStore } from "../storage/approval-store.ts";

// The store, counting each request made and each decision taken.
export function meterApprovals(store: ApprovalStore, metrics: MetricsPort): ApprovalStore {
  return {
    ...store,
    create: (approval) => {
      const created = store.create(approval);
      metrics.countApproval("requested");
      return created;
    },
    transition: (id, state, now, by) => {
      const taken = store.transition(id, state, now, by);
      if (taken && state !== "pending") metrics.countApproval(state);
      return taken;
    },
  };
}
