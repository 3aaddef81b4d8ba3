import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { tempHome } from '../support/temp-home.js';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function home(): string {
  const h = tempHome();
  cleanups.push(h.cleanup);
  return h.home;
}

function run(args: string[], env: Record<string, string> = {}, input = '') {
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8', timeout: 20_000 });
}

describe('command line', () => {
  test('--version prints the version on stdout', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('codex-app-server-ts 0.169.0\n');
  });

  test('generate-json-schema --out DIR writes the bundle from our zod schemas', () => {
    const out = home();
    const r = run(['generate-json-schema', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const bundle = JSON.parse(readFileSync(path.join(out, 'codex_app_server_protocol.v2.schemas.json'), 'utf8'));
    expect(Object.keys(bundle.definitions)).toEqual(expect.arrayContaining(['ThreadStartParams', 'Thread', 'Turn', 'ThreadItem']));
  });

  test('an invalid config.toml is a clear error on stderr and exit 1, not a stack trace', () => {
    const h = home();
    writeFileSync(path.join(h, 'config.toml'), 'approval_policy = "sometimes"\n');
    const r = run(['app-server'], { CODEX_HOME: h });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/approval_policy: expected one of untrusted, on-request, on-failure, never/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(path.join(h, 'config.toml'), 'model = "unterminated\n');
    const syntax = run(['app-server'], { CODEX_HOME: h });
    expect(syntax.status).toBe(1);
    expect(syntax.stderr).toMatch(/config\.toml/);
    expect(syntax.stderr).toMatch(/line 1/);
  });

  test('a CODEX_HOME that does not exist is fatal with the reference message', () => {
    const missing = path.join(home(), 'nope');
    const r = run(['app-server'], { CODEX_HOME: missing });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`Error: CODEX_HOME points to "${missing}", but that path does not exist\n`);
    expect(existsSync(missing)).toBe(false);
  });

  test('an unknown command exits non-zero with a message', () => {
    const r = run(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command `frobnicate`/);
  });
});
