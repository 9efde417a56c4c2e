// The configured names that reach git's or nix's argv: the deploy remote and branch, and a host's
// flake URL template. The config schema refuses what these refuse, and the runners check again.

// Remote and branch names come from the config, not from users, but still reach git's argv.
const PLAIN_GIT_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

// Says why a configured remote or branch name is unsafe for git's argv, or undefined.
export function describeGitNameProblem(name: string): string | undefined {
  return PLAIN_GIT_NAME.test(name) && !name.includes("..") ? undefined : "is not a plain git name (letters, digits and . _ - /, no \"..\", not starting with - . or /)";
}

// Says why a flake URL template is unsafe, or undefined. It must pin the commit through {rev}, and
// it travels inside a remote shell command, so whitespace, quotes, backslashes and # are out.
export function describeFlakeUrlProblem(template: string): string | undefined {
  if (!template.includes("{rev}")) return "must contain {rev}, where the resolved commit goes (e.g. github:team/infra/{rev})";
  if (/[\s'"`\\#\u0000-\u001f\u007f]/.test(template)) return "must not contain whitespace, quotes, backslashes or #";
  if (template.startsWith("-")) return 'must not start with "-"';
  return undefined;
}
