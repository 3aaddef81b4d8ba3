/**
 * The bubblewrap sandbox: the argv per policy (pure), then real confinement (CI installs bubblewrap and runs as
 * root): read-only denies writes and the network, workspace-write allows the cwd but not `.git` nor outside.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { BWRAP_MISSING_WARNING_SUMMARY, bwrapMissingWarning, findBwrap, isExecutableFile } from '../../../../src/tools/sandbox/availability.js';
import { bwrapArgv, bwrapPlan } from '../../../../src/tools/sandbox/bwrap.js';
import { mayWrite, writableRootsOf, type SandboxPolicy } from '../../../../src/tools/sandbox/policy.js';
import { removeEmptyDir } from '../../../../src/tools/exec/index.js';
import { READ_ONLY, tempDir, WORKSPACE } from '../exec/fake-context.js';

const BWRAP = findBwrap(process.env['PATH'], (f) => existsSync(f));

function argvFor(policy: SandboxPolicy, cwd: string, existing: string[] = [], extra: Partial<Parameters<typeof bwrapArgv>[0]> = {}): string[] | null {
  return bwrapArgv({ bwrapPath: '/usr/bin/bwrap', policy, cwd, tmpdir: undefined, alsoReadOnly: [], exists: (p) => existing.includes(p), command: ['/bin/bash', '-lc', 'true'], ...extra });
}

describe('bwrapArgv', () => {
  test('read-only: everything read-only, no network, no writable bind', () => {
    expect(argvFor(READ_ONLY, '/w')).toEqual([
      '/usr/bin/bwrap', '--new-session', '--die-with-parent', '--ro-bind', '/', '/', '--dev', '/dev',
      '--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-net', '--proc', '/proc', '--cap-drop', 'ALL', '--chdir', '/w', '--', '/bin/bash', '-lc', 'true',
    ]);
  });

  test('workspace-write: /tmp and the cwd writable (parents first), protected subpaths read-only (an empty tmpfs when missing)', () => {
    const existing = ['/w', '/tmp', '/w/.git', '/w/.codex', '/tmp/.git', '/tmp/.agents', '/tmp/.codex', '/tmp/.aws'];
    const plan = bwrapPlan({ bwrapPath: '/usr/bin/bwrap', policy: WORKSPACE, cwd: '/w', tmpdir: undefined, alsoReadOnly: [], exists: (p) => existing.includes(p), command: ['true'] })!;
    const binds = plan.argv.slice(8, plan.argv.indexOf('--unshare-user'));
    expect(binds).toEqual([
      '--bind', '/tmp', '/tmp', '--ro-bind', '/tmp/.git', '/tmp/.git', '--ro-bind', '/tmp/.agents', '/tmp/.agents', '--ro-bind', '/tmp/.codex', '/tmp/.codex', '--ro-bind', '/tmp/.aws', '/tmp/.aws',
      '--bind', '/w', '/w', '--ro-bind', '/w/.git', '/w/.git',
      '--perms', '555', '--tmpfs', '/w/.agents', '--remount-ro', '/w/.agents',
      '--ro-bind', '/w/.codex', '/w/.codex',
      '--perms', '555', '--tmpfs', '/w/.aws', '--remount-ro', '/w/.aws',
    ]);
    expect(plan.syntheticTargets).toEqual(['/w/.agents', '/w/.aws']);
    expect(plan.argv).toContain('--unshare-net');
  });

  test('network access drops --unshare-net', () => {
    const argv = argvFor({ ...WORKSPACE, networkAccess: true }, '/w', ['/w'])!;
    expect(argv).not.toContain('--unshare-net');
  });

  test('danger-full-access is not wrapped', () => {
    expect(argvFor({ ...WORKSPACE, mode: 'danger-full-access' }, '/w')).toBeNull();
  });
});

describe('writable roots', () => {
  test('workspace-write: cwd, extra roots, /tmp and $TMPDIR; .git .agents .codex .aws stay read-only; CODEX_HOME inside a root too', () => {
    const roots = writableRootsOf({ ...WORKSPACE, writableRoots: ['/extra'] }, '/w', '/tt', ['/w/home'])!;
    expect(roots.map((r) => r.root)).toEqual(['/w', '/extra', '/tmp', '/tt']);
    expect(roots[0]!.readOnlySubpaths).toEqual(['/w/.git', '/w/.agents', '/w/.codex', '/w/.aws', '/w/home']);
    expect(mayWrite(roots, '/w/src/a.ts')).toBe(true);
    expect(mayWrite(roots, '/w/.git/config')).toBe(false);
    expect(mayWrite(roots, '/w/home/sessions/x')).toBe(false);
    expect(mayWrite(roots, '/elsewhere')).toBe(false);
  });

  test('exclusions drop /tmp and $TMPDIR; read-only has none; full access is unrestricted', () => {
    expect(writableRootsOf({ ...WORKSPACE, excludeSlashTmp: true, excludeTmpdirEnvVar: true }, '/w', '/tt')!.map((r) => r.root)).toEqual(['/w']);
    expect(writableRootsOf(READ_ONLY, '/w', '/tt')).toEqual([]);
    expect(mayWrite(writableRootsOf({ ...WORKSPACE, mode: 'danger-full-access' }, '/w', undefined), '/etc/x')).toBe(true);
  });
});

describe('bubblewrap availability', () => {
  test('findBwrap walks PATH', () => {
    expect(findBwrap('/a:/b', (f) => f === '/b/bwrap')).toBe('/b/bwrap');
    expect(findBwrap('/a', () => false)).toBeNull();
    expect(findBwrap(undefined, () => true)).toBeNull();
  });

  test('the warning keeps the reference text up to its last sentence', () => {
    expect(bwrapMissingWarning()).toEqual({ summary: BWRAP_MISSING_WARNING_SUMMARY, details: null });
    expect(BWRAP_MISSING_WARNING_SUMMARY.startsWith('Codex could not find bubblewrap on PATH. Install bubblewrap with your OS package manager. See the sandbox prerequisites: https://developers.openai.com/codex/concepts/sandboxing#prerequisites.')).toBe(true);
  });
});

/** Runs `script` under the sandbox for `policy` in `cwd`; returns merged output. */
function confined(policy: SandboxPolicy, cwd: string, script: string, alsoReadOnly: string[] = []): { output: string; status: number | null } {
  const plan = bwrapPlan({ bwrapPath: BWRAP!, policy, cwd, tmpdir: undefined, alsoReadOnly, exists: existsSync, command: ['/bin/bash', '-c', script] })!;
  const result = spawnSync(plan.argv[0]!, plan.argv.slice(1), { cwd, encoding: 'utf8' });
  plan.syntheticTargets.forEach(removeEmptyDir);
  return { output: `${result.stdout}${result.stderr}`, status: result.status };
}

describe('real confinement (bubblewrap installed: .ci/run installs it)', () => {
  test('bubblewrap is on PATH', () => {
    expect(BWRAP).not.toBeNull();
  });

  test('read-only denies a write with "Read-only file system"', () => {
    const cwd = tempDir('sandbox-ro-');
    const r = confined(READ_ONLY, cwd, 'echo x > f.txt; echo rc=$?');
    expect(r.output).toContain('f.txt: Read-only file system');
    expect(r.output).toContain('rc=1');
    expect(existsSync(path.join(cwd, 'f.txt'))).toBe(false);
  });

  test('workspace-write allows the cwd, denies .git and outside', () => {
    const cwd = tempDir('sandbox-ww-');
    mkdirSync(path.join(cwd, '.git'));
    const outside = tempDir('sandbox-outside-');
    // The temp dirs live under /tmp, which workspace-write makes writable: exclude it to test "outside".
    const policy = { ...WORKSPACE, excludeSlashTmp: true };
    const r = confined(policy, cwd, `echo in > in.txt; echo g > .git/x; echo o > ${outside}/o.txt; true`);
    expect(readFileSync(path.join(cwd, 'in.txt'), 'utf8')).toBe('in\n');
    expect(r.output).toContain('.git/x: Read-only file system');
    expect(r.output).toContain(`${outside}/o.txt: Read-only file system`);
    expect(existsSync(path.join(cwd, '.git', 'x'))).toBe(false);
  });

  test('CODEX_HOME inside a writable root stays read-only', () => {
    const cwd = tempDir('sandbox-home-');
    const home = path.join(cwd, 'codex-home');
    mkdirSync(home);
    const r = confined(WORKSPACE, cwd, `echo s > ${home}/config.toml`, [home]);
    expect(r.output).toContain('config.toml: Read-only file system');
  });

  test('read-only has no network; full network when the policy allows it', async () => {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end('pong\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const script = `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected || echo refused`;
      const cwd = tempDir('sandbox-net-');
      const denied = await runAsync(READ_ONLY, cwd, script);
      expect(denied).toContain('refused');
      const allowed = await runAsync({ ...READ_ONLY, networkAccess: true }, cwd, script);
      expect(allowed).toContain('connected');
    } finally {
      server.close();
    }
  });
});

/** Like `confined`, without blocking the event loop (the test's own server must answer). */
function runAsync(policy: SandboxPolicy, cwd: string, script: string): Promise<string> {
  const plan = bwrapPlan({ bwrapPath: BWRAP!, policy, cwd, tmpdir: undefined, alsoReadOnly: [], exists: existsSync, command: ['/bin/bash', '-c', script] })!;
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(plan.argv[0]!, plan.argv.slice(1), { cwd });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => {
      plan.syntheticTargets.forEach(removeEmptyDir);
      resolve(out);
    });
  });
}

describe('isExecutableFile', () => {
  test('accepts an executable file, refuses directories and missing files', () => {
    expect(isExecutableFile('/bin/sh')).toBe(true);
    expect(isExecutableFile('/bin')).toBe(false);
    expect(isExecutableFile('/nonexistent/bwrap')).toBe(false);
  });
});
