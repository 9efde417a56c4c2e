// Who is on the other end of magi's terminal socket, proven rather than claimed. Node cannot read SO_PEERCRED, so the
// server sends a fresh random nonce and the client creates a directory of that name, mode 0700, in a drop box its group
// may write but not list. The kernel sets the directory's owner to the creating uid; nobody else can make one owned by
// another user, hard links to directories do not exist, and moving someone else's 0700 directory in needs write access
// to it (its ".." changes). So the owner of that one directory is the client's uid. Root can forge anything, as always.
import { randomBytes } from "node:crypto";
import { lstatSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";

// A fresh, unguessable name for one connection's proof.
export function createNonce(): string {
  return randomBytes(16).toString("hex");
}

// The uid that proved itself with nonce in dropBox, or a reason it did not; the proof is removed either way.
export function readProvenUid(dropBox: string, nonce: string): { uid: number } | { problem: string } {
  if (!/^[0-9a-f]{32}$/.test(nonce)) return { problem: "malformed proof" };
  const path = join(dropBox, nonce);
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return { problem: "no proof of identity was left in the drop box" };
  }
  try {
    if (!stat.isDirectory() || (stat.mode & 0o7777) !== 0o700) return { problem: "the proof of identity is not a directory of mode 0700" };
    return { uid: stat.uid };
  } finally {
    try {
      rmdirSync(path);
    } catch {
      // A non-directory or a non-empty one stays for an admin to look at; it proved nothing.
    }
  }
}

// The user name of a uid from /etc/passwd, or undefined for a uid without one.
export function findUserName(uid: number, passwd = "/etc/passwd"): string | undefined {
  for (const line of readFileSync(passwd, "utf8").split("\n")) {
    const [name, , id] = line.split(":");
    if (name && id !== undefined && Number(id) === uid && id.trim() !== "") return name;
  }
  return undefined;
}
