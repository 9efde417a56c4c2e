// A machine magi runs commands on; hostKey is the pinned public key line.
export type SshTarget = {
  name: string;
  address: string;
  port: number;
  user: string;
  identityFile: string;
  hostKey: string;
};
