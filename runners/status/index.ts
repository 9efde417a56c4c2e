// Public surface of the status runner; commands and the bot import from here, not from the parts.
export { createStatusPort } from "./port.ts";
export { describeRow, describeTally, ROW_COLUMNS } from "./describe-row.ts";
export { describeDetail } from "./describe-detail.ts";
export type { HostStatus, StatusPort, StatusSettings } from "./types.ts";
