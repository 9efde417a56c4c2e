// Builds runner results the way runCommand reports them, for status unit tests.
import type { CommandResult } from "../../../../runners/ssh/index.ts";

// A command that ran and exited with code.
export function exited(code: number, stdout = "", stderr = ""): CommandResult {
  return { command: "x", exitCode: code, signal: null, timedOut: false, isCanceled: false, failed: code !== 0, stdout, stderr, message: `exited with code ${code} on h`, ...(code !== 0 ? { reason: "exit-code" as const } : {}) };
}

// A command that never started because connecting failed.
export function refused(message: string, reason: CommandResult["reason"] = "connect"): CommandResult {
  return { command: "x", exitCode: null, signal: null, timedOut: false, isCanceled: false, failed: true, stdout: "", stderr: "", message, ...(reason ? { reason } : {}) };
}

// Realistic outputs of the probes on a NixOS 24.11 mini PC.
export const OUTPUTS = {
  proc: "1234567.89 4567890.12\n0.52 0.41 0.30 2/1234 56789\n",
  links: "/nix/store/8k2vq0xw6f3m1d5a9r7c4n2p0s8t6y1b-nixos-system-misato-24.11.20241201.abcdef0\n/nix/store/1a2b3c4d5e6f7g8h9i0j1k2l3m4n5o6p-nixos-system-misato-24.11.20241115.1234567\nsystem-42-link\n",
  nixos: '{"configurationRevision":"9c1a2b3c4d5e6f708192a3b4c5d6e7f809a1b2c3","nixosVersion":"24.11.20241201.abcdef0","nixpkgsRevision":"abcdef01234567890abcdef01234567890abcdef"}\n',
  units: '[{"unit":"nginx.service","load":"loaded","active":"failed","sub":"failed","description":"Nginx Web Server"},{"unit":"restic-backups-nas.service","load":"loaded","active":"failed","sub":"failed","description":"restic backup nas"}]\n',
  zfsHealthy: "all pools are healthy\n",
  zfsDegraded: [
    "  pool: tank",
    " state: DEGRADED",
    "status: One or more devices could not be used because the label is missing or",
    "\tinvalid.  Sufficient replicas exist for the pool to continue",
    "\tfunctioning in a degraded state.",
    "action: Replace the device using 'zpool replace'.",
    "   see: https://openzfs.github.io/openzfs-docs/msg/ZFS-8000-4J",
    "  scan: scrub repaired 0B in 02:13:45 with 0 errors on Sun Dec  1 02:37:46 2024",
    "config:",
    "",
    "\tNAME                    STATE     READ WRITE CKSUM",
    "\ttank                    DEGRADED     0     0     0",
    "\t  raidz1-0              DEGRADED     0     0     0",
    "\t    ata-WDC_WD40EFRX-1  ONLINE       0     0     0",
    "\t    ata-WDC_WD40EFRX-2  UNAVAIL      0     0     0  was /dev/sdb1",
    "\t    ata-WDC_WD40EFRX-3  ONLINE       0     0     0",
    "",
    "errors: No known data errors",
    "",
  ].join("\n"),
  df: [
    "Filesystem     1024-blocks      Used Available Capacity Mounted on",
    "devtmpfs            401344         0    401344       0% /dev",
    "tmpfs              4013432      1234   4012198       1% /dev/shm",
    "tmpfs              2006716      8236   1998480       1% /run",
    "tmpfs              4013432       400   4013032       1% /run/wrappers",
    "/dev/nvme0n1p2   479596200 421943532  33234324      93% /",
    "/dev/nvme0n1p2   479596200 421943532  33234324      93% /nix/store",
    "/dev/nvme0n1p1     1046512    421644    624868      41% /boot",
    "tmpfs               802684         4    802680       1% /run/user/0",
    "",
  ].join("\n"),
};
