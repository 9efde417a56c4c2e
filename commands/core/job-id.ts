// The argument schema for commands that take a job id.
import { z } from "zod";
import { jobIdToken } from "./args.ts";

// Exactly one job id, as typed in !jobs.
export const jobIdArgs = z
  .array(z.string())
  .length(1, "expected one job id")
  .transform((t) => t[0]!)
  .pipe(jobIdToken);
