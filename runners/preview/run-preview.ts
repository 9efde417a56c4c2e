// Previews a deploy of one commit to one host: build the system, read what the host runs, diff the two
// closures, ask the method's dry-activate which units would change. Nothing on the host changes.
import { prepareInvocation } from "../deploy/prepare-invocation.ts";
import type { DeployPlan } from "../deploy/types.ts";
import { buildOnHost, runOnHost } from "./build-on-host.ts";
import { buildSystem, type BuildRequest, type BuildResult } from "./build-system.ts";
import { fetchClosure } from "./fetch-closure.ts";
import { findBootChanges, parseDiffClosures } from "./parse-diff-closures.ts";
import { parseDryActivate } from "./parse-dry-activate.ts";
import { readCurrentSystem } from "./read-current-system.ts";
import { runTool } from "./run-nix.ts";
import type { HostPreview } from "./types.ts";

const STEP_TIMEOUT_MS = 10 * 60_000;

// What was learnt about a (current, new) pair; the same pair always diffs the same way.
type Learnt = Pick<Extract<HostPreview, { ok: true }>, "diff" | "diffText" | "units" | "notes" | "bootChanges">;

// Remembers previews by (current path, new path), so asking twice does not diff or dry-activate twice.
export function createPreviewCache(limit = 100) {
  const entries = new Map<string, Learnt>();
  const key = (current: string, path: string) => `${current}\n${path}`;
  return {
    get: (current: string, path: string) => entries.get(key(current, path)),
    set: (current: string, path: string, value: Learnt) => {
      entries.set(key(current, path), value);
      if (entries.size > limit) entries.delete(entries.keys().next().value!);
    },
  };
}

// The preview cache's type.
export type PreviewCache = ReturnType<typeof createPreviewCache>;

// Diffs the closures and dry-activates through the method's own tool; each part may fail alone and leaves a note.
async function learn(plan: DeployPlan, current: string, path: string, opts: PreviewOptions): Promise<Learnt> {
  const notes: string[] = [];
  const learnt: Learnt = { notes, bootChanges: [] };
  const log = opts.log ?? (() => {});
  const signal = opts.signal ? { signal: opts.signal } : {};
  const target = plan.host.ssh;
  const onHost = plan.method === "nixos-rebuild-on-host" && target !== undefined;
  // Built on the host: both systems are in its store, so the diff runs there and nothing is copied.
  const missing = onHost ? undefined : await fetchClosure(plan.host, current, opts.signal);
  if (missing) notes.push(`no closure diff: ${missing}`);
  else {
    const argv = ["nix", "store", "diff-closures", current, path];
    const diffed = onHost ? await runOnHost(target, argv, { timeoutMs: STEP_TIMEOUT_MS, ...signal }) : await runTool(argv, { timeoutMs: STEP_TIMEOUT_MS, ...signal });
    if (diffed.ok) {
      log(`nix store diff-closures ${current} ${path}:`);
      for (const line of diffed.stdout.split("\n")) log(line);
      learnt.diffText = diffed.stdout;
      learnt.diff = parseDiffClosures(diffed.stdout);
      learnt.bootChanges = findBootChanges(learnt.diff);
    } else notes.push(`no closure diff: ${diffed.problem}${diffed.tail.length ? `: ${diffed.tail.at(-1)}` : ""}`);
  }
  const prepared = await prepareInvocation({ ...plan, action: "dry-activate" }, { env: opts.env ?? {} });
  if (!prepared.ok) return (notes.push(`no unit changes: ${prepared.problem}`), learnt);
  try {
    const { invocation } = prepared;
    const timeoutMs = plan.timeoutMs ?? STEP_TIMEOUT_MS;
    const dry = invocation.where === "host"
      ? await runOnHost(invocation.target, invocation.argv, { timeoutMs, sudo: invocation.sudo, ...signal, onStderr: log })
      : await runTool(invocation.argv, { timeoutMs, env: invocation.env, ...signal, ...(invocation.cwd ? { cwd: invocation.cwd } : {}), onStderr: log });
    // Tools print dry-activate's lines on stderr (nixos-rebuild, deploy-rs) or stdout; both are read.
    if (dry.ok) learnt.units = parseDryActivate(`${dry.stdout}\n${dry.tail.join("\n")}`);
    else notes.push(`no unit changes: ${dry.problem}`);
  } finally {
    await prepared.cleanup();
  }
  return learnt;
}

// Options for previewHost.
export interface PreviewOptions {
  cache: PreviewCache;
  env?: Record<string, string>;
  onProgress?: BuildRequest["onProgress"];
  signal?: AbortSignal;
  // Gets the readable lines of every step (the build, the diff, the dry activation): the preview job's log.
  log?: (line: string) => void;
}

// Builds where the method builds (magi's machine, or the host for nixos-rebuild-on-host).
function build(plan: DeployPlan, opts: PreviewOptions): Promise<BuildResult> {
  const req = {
    sha: plan.sha, attr: plan.flakeAttr ?? plan.host.name, timeoutMs: plan.timeoutMs ?? STEP_TIMEOUT_MS,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.log ? { onLine: opts.log } : {}),
  };
  if (plan.method !== "nixos-rebuild-on-host") return buildSystem({ ...req, flakeDir: plan.flakeDir });
  if (!plan.host.ssh) return Promise.resolve({ ok: false, problem: `${plan.host.name} has no ssh settings, which nixos-rebuild-on-host needs`, tail: [] });
  return buildOnHost({ ...req, target: plan.host.ssh, flakeUrl: plan.flakeUrl });
}

// Builds and compares; never throws.
export async function previewHost(plan: DeployPlan, opts: PreviewOptions): Promise<HostPreview> {
  const host = plan.host.name;
  const builtOn = plan.method === "nixos-rebuild-on-host" ? host : "magi";
  const base = { ok: true as const, host, builtOn, same: false, notes: [] as string[], bootChanges: [] as string[], cached: false };
  const built = await build(plan, opts);
  if (!built.ok) return { ok: false, host, problem: built.problem, tail: built.tail };
  const { path } = built;
  opts.log?.(`built ${path}`);
  const current = await readCurrentSystem(plan.host);
  opts.log?.(current ? `${host} runs ${current}` : `cannot read ${host}'s /run/current-system`);
  if (!current) return { ...base, path, notes: [`no closure diff: cannot read ${host}'s /run/current-system over SSH`] };
  if (current === path) return { ...base, path, current, same: true };
  const cached = opts.cache.get(current, path);
  if (cached) return { ...base, path, current, ...cached, cached: true };
  const learnt = await learn(plan, current, path, opts);
  // A diff that failed for a passing reason (the host was down) is worth trying again next time.
  if (learnt.notes.length === 0) opts.cache.set(current, path, learnt);
  return { ...base, path, current, ...learnt };
}
