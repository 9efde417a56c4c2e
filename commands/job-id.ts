// The argument schema for commands that take a job id.
import { z } from "zod";

// Exactly one job id, as typed in !jobs.
export const jobIdArgs = z
  .array(z.string())
  .length(1, "expected one job id")
  .transform((t) => t[0]!.replace(/^#/, ""))
  .pipe(z.string().regex(/^\d{1,9}$/, "expected a job id (a number, as !jobs shows it)").transform(Number));
