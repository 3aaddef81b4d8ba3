/** Edges of `--ws-auth capability-token` (issue 17): header forms, option combinations, token file read errors. */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { capabilityTokenAuthorizer, TOKEN_SHA256_INVALID, tokenDigest, wsAuthFromSettings, type WsAuthSettings } from '../../../src/transport/ws-auth.js';

const cleanups: (() => unknown)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const none: WsAuthSettings = { mode: null, tokenFile: null, tokenSha256: null, signedOptions: [] };
const digestHex = 'a'.repeat(64);

/** The real file system, as the command line uses it. */
const realFs = (cwd: string) => ({ cwd, resolve: (base: string, file: string) => path.resolve(base, file), readFile: (file: string) => readFileSync(file, 'utf8') });

function scratch(): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 't-wsauth-')));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('capabilityTokenAuthorizer: header forms', () => {
  const authorize = capabilityTokenAuthorizer(tokenDigest('tok'));
  test.for([
    // The scheme must open the header.
    ['xBearer tok', 'invalid authorization header'],
    [' Bearer tok', 'invalid authorization header'],
    // A token spanning lines is read whole (and is then the wrong token), not refused as a malformed header.
    ['Bearer tok\nmore', 'invalid websocket bearer token'],
    ['Bearer \ttok\t', null],
    ['Bearer    ', 'invalid authorization header'],
    ['', 'invalid authorization header'],
  ] as const)('%j → %j', ([header, expected]) => {
    expect(authorize(header)).toBe(expected);
  });
});

describe('wsAuthFromSettings: option combinations', () => {
  const noFiles = { cwd: '/nowhere', resolve: (_c: string, f: string) => f, readFile: (): string => { throw new Error('not read'); } };
  test.for([
    [{ ...none, tokenSha256: digestHex }, 'websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`'],
    [{ ...none, mode: 'signed-bearer-token' }, '`--ws-auth signed-bearer-token` is not supported by this server; use `--ws-auth capability-token`'],
    [{ ...none, mode: 'signed-bearer-token', signedOptions: ['--ws-issuer'] }, '`--ws-auth signed-bearer-token` is not supported by this server; use `--ws-auth capability-token`'],
    [{ ...none, mode: 'signed-bearer-token', tokenSha256: digestHex }, '`--ws-token-file` and `--ws-token-sha256` require `--ws-auth capability-token`, not `signed-bearer-token`'],
    [{ ...none, mode: 'capability-token', tokenSha256: digestHex, signedOptions: ['--ws-audience'] }, '`--ws-shared-secret-file`, `--ws-issuer`, `--ws-audience`, and `--ws-max-clock-skew-seconds` require `--ws-auth signed-bearer-token`'],
    [{ ...none, mode: 'capability-token', tokenSha256: 'g'.repeat(64) }, TOKEN_SHA256_INVALID],
  ] as const)('%j → start-up error', ([settings, message]) => {
    expect(wsAuthFromSettings(settings as WsAuthSettings, noFiles)).toEqual({ ok: false, message });
  });

  test('a digest authorizes exactly the token it is the SHA-256 of', () => {
    const result = wsAuthFromSettings({ ...none, mode: 'capability-token', tokenSha256: tokenDigest('sesame').toString('hex').toUpperCase() }, noFiles);
    expect(result.ok).toBe(true);
    const authorize = result.ok ? result.authorize! : () => 'none';
    expect(authorize('Bearer sesame')).toBeNull();
    expect(authorize('Bearer sesame2')).toBe('invalid websocket bearer token');
    expect(authorize(undefined)).toBe('missing websocket bearer token');
  });
});

describe('wsAuthFromSettings: the token file', () => {
  test('read from disk relative to the working directory, trimmed', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'token'), '\n  opensesame \n');
    const result = wsAuthFromSettings({ ...none, mode: 'capability-token', tokenFile: 'token' }, realFs(dir));
    const authorize = result.ok ? result.authorize! : () => 'none';
    expect(authorize('Bearer opensesame')).toBeNull();
    expect(authorize('Bearer  opensesame ')).toBeNull();
    expect(authorize('Bearer opensesam')).toBe('invalid websocket bearer token');
  });

  test('read errors in Rust io::Error form', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'plain'), 'x');
    mkdirSync(path.join(dir, 'dir'));
    symlinkSync('loop', path.join(dir, 'loop'));
    const message = (tokenFile: string) => {
      const result = wsAuthFromSettings({ ...none, mode: 'capability-token', tokenFile }, realFs(dir));
      return result.ok ? 'ok' : result.message;
    };
    expect(message('missing')).toBe(`failed to read websocket auth secret ${dir}/missing: No such file or directory (os error 2)`);
    expect(message('dir')).toBe(`failed to read websocket auth secret ${dir}/dir: Is a directory (os error 21)`);
    expect(message('plain/x')).toBe(`failed to read websocket auth secret ${dir}/plain/x: Not a directory (os error 20)`);
    expect(message('loop')).toBe(`failed to read websocket auth secret ${dir}/loop: Symbolic link loop (os error 40)`);
  });

  test('a permission error, an unknown errno and a non-Error failure', () => {
    const failing = (thrown: unknown) => ({
      cwd: '/c',
      resolve: (c: string, f: string) => `${c}/${f}`,
      readFile: (): string => {
        throw thrown;
      },
    });
    const run = (thrown: unknown) => {
      const result = wsAuthFromSettings({ ...none, mode: 'capability-token', tokenFile: 't' }, failing(thrown));
      return result.ok ? 'ok' : result.message;
    };
    expect(run(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }))).toBe('failed to read websocket auth secret /c/t: Permission denied (os error 13)');
    expect(run(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }))).toBe('failed to read websocket auth secret /c/t: EIO: i/o error, read');
    expect(run(new Error('no code'))).toBe('failed to read websocket auth secret /c/t: no code');
    expect(run({ code: 'EWHAT', toString: () => 'odd failure' })).toBe('failed to read websocket auth secret /c/t: odd failure');
  });
});
