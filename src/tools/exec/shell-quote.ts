/**
 * How the reference renders an argv as one command line (`shlex` join), e.g. `/bin/bash -lc 'echo hi'`,
 * `/bin/bash -lc pwd`, `/bin/bash -lc "echo it's"`, `ls 'a=b'` (`=`, `%` and `,` need quotes; `@`, `+`, `:` do not).
 */
const SAFE = /^[A-Za-z0-9_@+:./-]+$/;

export function quoteArg(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  if (!arg.includes("'")) return `'${arg}'`;
  // With a single quote inside: double quotes, escaping what is special there (`echo "it's"` → "echo \"it's\"").
  return `"${arg.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

export function joinCommand(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}
