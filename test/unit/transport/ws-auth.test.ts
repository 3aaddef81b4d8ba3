/** `--ws-auth capability-token` (issue 16): the reference's 401 texts and start-up errors, measured on 0.169.0. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { capabilityTokenAuthorizer, parseTokenSha256, tokenDigest, wsAuthFromSettings, type WsAuthSettings } from '../../../src/transport/ws-auth.js';

const none: WsAuthSettings = { mode: null, tokenFile: null, tokenSha256: null, signedOptions: [] };
const files = (content: Record<string, string>) => ({
  cwd: '/work',
  resolve: (cwd: string, file: string) => path.resolve(cwd, file),
  readFile: (file: string) => {
    if (file in content) return content[file]!;
    throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  },
});

describe('capabilityTokenAuthorizer', () => {
  const authorize = capabilityTokenAuthorizer(tokenDigest('s3cret'));
  test.for([
    [undefined, 'missing websocket bearer token'],
    ['Bearer s3cret', null],
    ['bearer s3cret', null],
    ['BEARER   s3cret  ', null],
    ['Bearer s3cret2', 'invalid websocket bearer token'],
    ['Bearer S3CRET', 'invalid websocket bearer token'],
    ['Bearer', 'invalid authorization header'],
    ['Bearer ', 'invalid authorization header'],
    ['Basic czNjcmV0', 'invalid authorization header'],
    ['s3cret', 'invalid authorization header'],
  ] as const)('%j → %j', ([header, expected]) => {
    expect(authorize(header)).toBe(expected);
  });
});

describe('parseTokenSha256', () => {
  test('64 hex digits in either case; anything else is refused', () => {
    const hex = createHash('sha256').update('x').digest('hex');
    expect(parseTokenSha256(hex)).toEqual(tokenDigest('x'));
    expect(parseTokenSha256(hex.toUpperCase())).toEqual(tokenDigest('x'));
    expect(parseTokenSha256(hex.slice(1))).toBeNull();
    expect(parseTokenSha256(`${hex.slice(1)}g`)).toBeNull();
    expect(parseTokenSha256(`${hex}0`)).toBeNull();
  });
});

describe('wsAuthFromSettings', () => {
  test('no --ws-* option: no authorizer', () => {
    expect(wsAuthFromSettings(none, files({}))).toEqual({ ok: true, authorize: null });
  });

  test.for([
    [{ ...none, tokenFile: '/t' }, 'websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`'],
    [{ ...none, signedOptions: ['--ws-issuer'] }, 'websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`'],
    [{ ...none, mode: 'capability-token' }, '`--ws-token-file` or `--ws-token-sha256` is required when `--ws-auth capability-token` is set'],
    [{ ...none, mode: 'capability-token', tokenSha256: 'abc' }, '--ws-token-sha256 must be a 64-character hex SHA-256 digest'],
    [{ ...none, mode: 'capability-token', tokenFile: '/t', tokenSha256: 'a'.repeat(64) }, '`--ws-token-file` and `--ws-token-sha256` are mutually exclusive'],
    [{ ...none, mode: 'capability-token', tokenFile: '/t', signedOptions: ['--ws-issuer'] }, '`--ws-shared-secret-file`, `--ws-issuer`, `--ws-audience`, and `--ws-max-clock-skew-seconds` require `--ws-auth signed-bearer-token`'],
    [{ ...none, mode: 'signed-bearer-token', tokenFile: '/t' }, '`--ws-token-file` and `--ws-token-sha256` require `--ws-auth capability-token`, not `signed-bearer-token`'],
    [{ ...none, mode: 'capability-token', tokenFile: 'rel/tok' }, 'failed to read websocket auth secret /work/rel/tok: No such file or directory (os error 2)'],
    [{ ...none, mode: 'capability-token', tokenFile: '/empty' }, 'websocket auth secret /empty must not be empty'],
  ] as const)('%j → start-up error', ([settings, message]) => {
    expect(wsAuthFromSettings(settings as WsAuthSettings, files({ '/empty': ' \n' }))).toEqual({ ok: false, message });
  });

  test('a token file (trimmed, relative to the working directory) and a digest both authorize their token', () => {
    const fromFile = wsAuthFromSettings({ ...none, mode: 'capability-token', tokenFile: 'tok' }, files({ '/work/tok': 'abc\n' }));
    expect(fromFile.ok && fromFile.authorize?.('Bearer abc')).toBeNull();
    expect(fromFile.ok && fromFile.authorize?.('Bearer abc\n')).toBeNull();
    expect(fromFile.ok && fromFile.authorize?.('Bearer abd')).toBe('invalid websocket bearer token');
    const fromDigest = wsAuthFromSettings({ ...none, mode: 'capability-token', tokenSha256: createHash('sha256').update('abc').digest('hex') }, files({}));
    expect(fromDigest.ok && fromDigest.authorize?.('Bearer abc')).toBeNull();
  });
});
