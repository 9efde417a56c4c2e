// agenix enrollment: the host's ssh-ed25519 key goes into the team's keys JSON (which secrets.nix reads), and every .age
// file the files JSON gives the host is decrypted with magi's admin identity and encrypted again with age to all its
// recipients: a rekey without Nix.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parsePublicKeyLine } from "../ssh/host-key.ts";
import { editAgenixKeys, listAgenixFiles, parseAgenixFiles, parseAgenixKeys } from "./agenix-config.ts";
import { recipientOf } from "./plan-enroll.ts";
import { viewWorktree, type EnrollMethod, type EnrollTarget, type FlakeView, type Inspection } from "./method.ts";
import { checkAge, decryptAge, encryptAge, isArmored, isEncryptedToSshKey } from "./run-age.ts";
import type { EnrollSettings } from "./settings.ts";

// The inspection plus what apply needs: the new keys file and each affected file's recipients.
type AgenixInspection = Inspection & { keysText: string; targets: { file: string; recipients: string[] }[]; previousLine?: string };

// The previous key, as its age recipient when it has one (the prompt shows recipients).
function describePrevious(line: string): string {
  try {
    const recipient = recipientOf(parsePublicKeyLine(line));
    return typeof recipient === "string" ? recipient : line;
  } catch {
    return line;
  }
}

// Reads both JSON files and works out the edit, or says why not.
async function inspectAgenix(settings: EnrollSettings, view: FlakeView, target: EnrollTarget): Promise<AgenixInspection | string> {
  const { keysFile, filesFile } = settings.agenix;
  const keysText = await view.read(keysFile);
  if (keysText === undefined) return `the flake has no ${keysFile} (enroll.agenix.keys_file)`;
  const filesText = await view.read(filesFile);
  if (filesText === undefined) return `the flake has no ${filesFile} (enroll.agenix.files_file)`;
  const keys = parseAgenixKeys(keysText, keysFile);
  if (typeof keys === "string") return keys;
  const mapping = parseAgenixFiles(filesText, filesFile);
  if (typeof mapping === "string") return mapping;
  const name = target.host.name;
  const edit = editAgenixKeys(keys, name, target.keyLine, target.replace, keysFile);
  if (typeof edit === "string") return edit;
  const targets = listAgenixFiles(mapping, { ...keys, [name]: target.keyLine }, name, filesFile);
  if (targets.length === 0) return `no file in ${filesFile} is meant for ${name}: add "${name}" to the names of the files it should decrypt`;
  const tracked = await view.tracked();
  if (typeof tracked === "string") return tracked;
  const missing = targets.find((t) => !tracked.includes(t.file));
  if (missing) return `${filesFile} names ${missing.file}, which is not in the flake`;
  const blob = parsePublicKeyLine(target.keyLine).blob;
  const lacking: string[] = [];
  for (const t of targets) if (!isEncryptedToSshKey(Buffer.from((await view.read(t.file)) ?? "", "latin1"), blob)) lacking.push(t.file);
  const previous = edit.changed && edit.previous !== undefined ? describePrevious(edit.previous) : undefined;
  return { files: targets.map((t) => t.file), changed: edit.changed, lacking, keysText: edit.text, targets, ...(previous ? { previous } : {}), ...(edit.previous && edit.changed ? { previousLine: edit.previous } : {}) };
}

// The agenix method over enrollment's settings.
export function createAgenixMethod(settings: EnrollSettings): EnrollMethod {
  const age = { bin: settings.age };
  return {
    configName: settings.agenix.keysFile,
    checkTools: () => checkAge(settings.age),
    inspect: async (view, target) => {
      const inspected = await inspectAgenix(settings, view, target);
      if (typeof inspected === "string") return inspected;
      const { keysText: _k, targets: _t, previousLine: _p, ...inspection } = inspected;
      return inspection;
    },
    apply: async (dir, target, io) => {
      const inspected = await inspectAgenix(settings, viewWorktree(dir), target);
      if (typeof inspected === "string") return inspected;
      io.log(`${inspected.changed ? "setting" : "keeping"} ${target.host.name} in ${settings.agenix.keysFile}; files: ${inspected.files.join(", ")}`);
      await writeFile(join(dir, settings.agenix.keysFile), inspected.keysText);
      io.phase("re-encrypting");
      const blob = parsePublicKeyLine(target.keyLine).blob;
      const oldBlob = target.replace && inspected.previousLine ? parsePublicKeyLine(inspected.previousLine).blob : undefined;
      for (const { file, recipients } of inspected.targets) {
        // The recipients only change when the host's key does; a file already encrypted to it is left byte for byte.
        if (!inspected.changed && !inspected.lacking.includes(file)) continue;
        const original = await readFile(join(dir, file));
        const plaintext = await decryptAge(dir, file, settings.identityFile, { ...age, signal: io.signal });
        if (typeof plaintext === "string") return plaintext;
        const problem = await encryptAge(dir, file, plaintext, recipients, isArmored(original), { ...age, signal: io.signal });
        plaintext.fill(0);
        if (problem) return problem;
        const rekeyed = await readFile(join(dir, file));
        if (!isEncryptedToSshKey(rekeyed, blob)) return `${file} is not encrypted to ${target.host.name}'s key after age`;
        if (oldBlob && isEncryptedToSshKey(rekeyed, oldBlob)) return `${file} is still encrypted to the replaced key`;
        io.log(`age: ${file} encrypted to ${recipients.length} recipient${recipients.length === 1 ? "" : "s"}`);
      }
      return { paths: [settings.agenix.keysFile, ...inspected.files], files: inspected.files };
    },
  };
}
