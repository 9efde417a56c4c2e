// sops-nix enrollment: the host's age recipient becomes an anchor in .sops.yaml, an alias joins the creation rules config
// names for the host, and `sops updatekeys` re-wraps every affected file's data key.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostEntry } from "../inventory.ts";
import { editSopsConfig, listSopsRules, selectRuleFiles, SOPS_CONFIG } from "./edit-sops-config.ts";
import { viewWorktree, type EnrollMethod, type EnrollTarget, type FlakeView, type Inspection } from "./method.ts";
import { checkSops, updateKeys, verifyRecipients } from "./run-sops.ts";
import { listHostRules, type EnrollSettings } from "./settings.ts";

// Why no .sops.yaml rule can be meant for host: config names none.
function checkRules(settings: EnrollSettings, host: HostEntry): string | undefined {
  if (listHostRules(settings, host).length > 0) return undefined;
  return `no creation rule is meant for ${host.name}: list its .sops.yaml path_regex values under enroll.rules.${host.name} (or one of its tags) in magi's config`;
}

// The edited .sops.yaml and the inspection, or why not.
async function inspectSops(settings: EnrollSettings, view: FlakeView, target: EnrollTarget): Promise<(Inspection & { text: string }) | string> {
  const noRule = checkRules(settings, target.host);
  if (noRule) return noRule;
  const regexes = listHostRules(settings, target.host);
  const sopsText = await view.read(SOPS_CONFIG);
  if (sopsText === undefined) return `the flake has no ${SOPS_CONFIG} at its top`;
  const edit = editSopsConfig(sopsText, target.host.name, target.recipient, regexes, target.replace);
  if (typeof edit === "string") return edit;
  const rules = listSopsRules(sopsText);
  if (typeof rules === "string") return rules;
  const tracked = await view.tracked();
  if (typeof tracked === "string") return tracked;
  const files = selectRuleFiles(rules, tracked, regexes);
  if (typeof files === "string") return files;
  const lacking: string[] = [];
  for (const file of files) if (!(await view.read(file))?.includes(target.recipient)) lacking.push(file);
  const previous = edit.previous !== undefined && edit.previous !== target.recipient ? edit.previous : undefined;
  return { files, changed: edit.changed, lacking, text: edit.text, ...(previous ? { previous } : {}) };
}

// The sops-nix method over enrollment's settings.
export function createSopsMethod(settings: EnrollSettings): EnrollMethod {
  return {
    configName: SOPS_CONFIG,
    checkHost: (host) => checkRules(settings, host),
    checkTools: () => checkSops(settings.sops),
    inspect: async (view, target) => {
      const inspected = await inspectSops(settings, view, target);
      if (typeof inspected === "string") return inspected;
      const { text: _text, ...inspection } = inspected;
      return inspection;
    },
    apply: async (dir, target, io) => {
      const inspected = await inspectSops(settings, viewWorktree(dir), target);
      if (typeof inspected === "string") return inspected;
      const { files } = inspected;
      io.log(`${inspected.changed ? "adding" : "keeping"} &${target.host.name} in ${SOPS_CONFIG}; files: ${files.join(", ") || "none"}`);
      await writeFile(join(dir, SOPS_CONFIG), inspected.text);
      io.phase("re-encrypting");
      const removed = target.replace ? inspected.previous : undefined;
      const sopsProblem = await updateKeys(dir, files, { bin: settings.sops, identityFile: settings.identityFile, signal: io.signal }, io.log);
      if (sopsProblem) return sopsProblem;
      io.phase("verifying");
      const unverified = await verifyRecipients(dir, files, target.recipient, removed);
      if (unverified) return unverified;
      return { paths: [SOPS_CONFIG, ...files], files };
    },
  };
}
