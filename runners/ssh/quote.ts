// Quotes one argument for a POSIX shell so it reaches the program as-is.
export function quotePosix(arg: string): string {
  // Inside single quotes nothing is special except `'` itself, which must close, escape, reopen.
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

// Builds the remote command line from argv, quoting every element (the program name too).
export function buildRemoteCommand(argv: readonly string[], sudo = false): string {
  if (argv.length === 0) throw new Error("empty argv");
  for (const arg of argv) {
    // sshd hands the line to a shell via execve; a NUL would silently truncate it.
    if (arg.includes("\0")) throw new Error("argument contains a NUL byte");
  }
  // -n: never prompt for a password (there is no tty to answer it); --: argv[0] is not an option.
  const prefix = sudo ? "sudo -n -- " : "";
  return prefix + argv.map(quotePosix).join(" ");
}
