/**
 * How the reference renders an argv as one command line (`shlex` join), e.g. `/bin/bash -lc 'echo hi'`,
 * `/bin/bash -lc pwd`, `/bin/bash -lc "echo it's"`.
 */
const SAFE = /^[A-Za-z0-9_@%+=:./-]+$/;

export function quoteArg(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  if (!arg.includes("'")) return `'${arg}'`;
  if (!/["\\$`!]/.test(arg)) return `"${arg}"`;
  return `'${arg.replaceAll("'", `'"'"'`)}'`;
}

export function joinCommand(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}
