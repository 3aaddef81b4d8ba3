/** Argument decoding (serde texts), command actions and command rendering, against what the reference 0.169 sent. */
import { describe, expect, test } from 'vitest';
import { decodeArgs } from '../../../../src/tools/exec/args.js';
import { resolveShell } from '../../../../src/tools/exec/exec-command.js';
import { parseCommandActions } from '../../../../src/tools/exec/command-actions.js';
import { joinCommand } from '../../../../src/tools/exec/shell-quote.js';

const EXEC = {
  cmd: { kind: 'string', required: true },
  workdir: { kind: 'string' },
  tty: { kind: 'bool' },
  yield_time_ms: { kind: 'u64' },
} as const;

describe('decodeArgs reports what serde reports', () => {
  test.each([
    ['not json', 'expected ident at line 1 column 2'],
    ['{"workdir":"x"}', 'missing field `cmd` at line 1 column 15'],
    ['{"cmd":"echo hi","yield_time_ms":100000,"tty":"yes"}', 'invalid type: string "yes", expected a boolean at line 1 column 51'],
    ['', 'EOF while parsing a value at line 1 column 0'],
    ['[1]', 'invalid type: integer `1`, expected a string at line 1 column 2'],
    ['{"cmd":5}', 'invalid type: integer `5`, expected a string at line 1 column 8'],
    ['{"cmd":"ls","yield_time_ms":-5}', 'invalid value: integer `-5`, expected u64 at line 1 column 30'],
  ])('%s', (input, message) => {
    expect(decodeArgs(input, EXEC)).toEqual({ ok: false, error: message });
  });

  test('an unknown sandbox_permissions variant', () => {
    const fields = { cmd: { kind: 'string', required: true }, sandbox_permissions: { kind: { oneOf: ['use_default', 'require_escalated', 'with_additional_permissions'] } } } as const;
    expect(decodeArgs('{"cmd":"ls","sandbox_permissions":"bogus"}', fields)).toEqual({ ok: false, error: 'unknown variant `bogus`, expected one of `use_default`, `require_escalated`, `with_additional_permissions` at line 1 column 41' });
  });

  test('a string session_id', () => {
    expect(decodeArgs('{"session_id":"12"}', { session_id: { kind: 'i32', required: true } })).toEqual({ ok: false, error: 'invalid type: string "12", expected i32 at line 1 column 18' });
  });

  test('missing session_id for write_stdin', () => {
    expect(decodeArgs('{"chars":"x"}', { session_id: { kind: 'i32', required: true } })).toEqual({ ok: false, error: 'missing field `session_id` at line 1 column 13' });
  });

  test('null optional fields are absent; unknown fields are ignored', () => {
    expect(decodeArgs('{"cmd":"ls","tty":null,"extra":1}', EXEC)).toEqual({ ok: true, value: { cmd: 'ls' } });
  });
});

describe('commandActions as the reference summarises scripts', () => {
  const cwd = '/w';
  test.each([
    ['echo hi; ls', [{ type: 'listFiles', command: 'ls', path: null }]],
    ['cat README.md', [{ type: 'read', command: 'cat README.md', name: 'README.md', path: '/w/README.md' }]],
    ['rg foo src', [{ type: 'search', command: 'rg foo src', query: 'foo', path: 'src' }]],
    ['ls -la src', [{ type: 'listFiles', command: 'ls -la src', path: 'src' }]],
    ['sed -n 1,10p a.txt', [{ type: 'read', command: "sed -n '1,10p' a.txt", name: 'a.txt', path: '/w/a.txt' }]],
    ['head -n 5 a.txt | wc -l', [{ type: 'read', command: 'head -n 5 a.txt', name: 'a.txt', path: '/w/a.txt' }]],
    ['grep -rn foo .', [{ type: 'search', command: 'grep -rn foo .', query: 'foo', path: '.' }]],
    ['cd src && ls', [{ type: 'listFiles', command: 'ls', path: null }]],
    ['git status', [{ type: 'unknown', command: 'git status' }]],
    ["echo it's", [{ type: 'unknown', command: "echo it's" }]],
    ['echo x > f.txt', [{ type: 'unknown', command: 'echo x > f.txt' }]],
    ['ls a=b', [{ type: 'listFiles', command: "ls 'a=b'", path: 'a=b' }]],
    ['ls a@b', [{ type: 'listFiles', command: 'ls a@b', path: 'a@b' }]],
    ["ls 'a b'", [{ type: 'listFiles', command: "ls 'a b'", path: 'a b' }]],
    ['cat a.txt && rg -n foo src | head -5', [{ type: 'read', command: 'cat a.txt', name: 'a.txt', path: '/w/a.txt' }, { type: 'search', command: 'rg -n foo src', query: 'foo', path: 'src' }]],
    ['nl -ba file.rs', [{ type: 'read', command: 'nl -ba file.rs', name: 'file.rs', path: '/w/file.rs' }]],
    ["find . -name '*.ts'", [{ type: 'search', command: "find . -name '*.ts'", query: '*.ts', path: '.' }]],
    ['sleep 2; echo $TMPDIR', [{ type: 'unknown', command: 'sleep 2; echo $TMPDIR' }]],
  ])('%s', (script, actions) => {
    expect(parseCommandActions(script, cwd)).toEqual(actions);
  });
});

describe('commands are rendered as the reference renders them', () => {
  test.each([
    [['/bin/bash', '-lc', 'echo hi'], "/bin/bash -lc 'echo hi'"],
    [['/bin/bash', '-lc', 'pwd'], '/bin/bash -lc pwd'],
    [['/bin/bash', '-lc', "echo it's"], `/bin/bash -lc "echo it's"`],
    [['/bin/bash', '-c', 'exit 3'], "/bin/bash -c 'exit 3'"],
    [['/bin/bash', '-lc', 'echo $0'], "/bin/bash -lc 'echo $0'"],
    [['/bin/bash', '-lc', `echo "it's" 'x'`], `/bin/bash -lc "echo \\"it's\\" 'x'"`],
    [['/bin/bash', '-lc', 'ls'], '/bin/bash -lc ls'],
  ])('%j', (argv, rendered) => {
    expect(joinCommand(argv)).toBe(rendered);
  });
});

describe('a named shell is found on PATH, as the reference finds it', () => {
  test('/bin/sh runs as the first sh on PATH', () => {
    expect(resolveShell('/bin/sh', '/usr/local/bin:/usr/bin:/bin', (p) => p === '/usr/bin/sh' || p === '/bin/sh')).toBe('/usr/bin/sh');
    expect(resolveShell('/opt/zsh', '/usr/bin', () => false)).toBe('/opt/zsh');
  });
});
