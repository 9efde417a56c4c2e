// Parses `nixos-rebuild list-generations --json`. Pure. Both implementations print a JSON array,
// newest first, of {generation, date, nixosVersion, kernelVersion, configurationRevision,
// specialisations, current}; the Python nixos-rebuild-ng dates look like "2025-06-01 12:00:00",
// the older shell script's like "2025-06-01T12:00:00Z". Unknown fields read "Unknown" or "".
import { z } from "zod";

const generationSchema = z.object({
  generation: z.number().int().nonnegative(),
  date: z.string(),
  nixosVersion: z.string(),
  kernelVersion: z.string(),
  configurationRevision: z.string(),
  specialisations: z.array(z.string()).default([]),
  current: z.boolean(),
});

// One system generation as the host lists it.
export type Generation = z.output<typeof generationSchema>;

// Reads the JSON; a problem names the first entry that does not fit.
export function parseGenerations(stdout: string): { ok: true; generations: Generation[] } | { ok: false; problem: string } {
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch (error) {
    return { ok: false, problem: `list-generations did not print JSON: ${(error as Error).message}` };
  }
  const parsed = z.array(generationSchema).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? issue.path.join(".") : "";
    return { ok: false, problem: `unexpected list-generations JSON${path ? ` at ${path}` : ""}: ${issue?.message ?? "invalid"}` };
  }
  const generations = [...parsed.data].sort((a, b) => b.generation - a.generation);
  return { ok: true, generations };
}
