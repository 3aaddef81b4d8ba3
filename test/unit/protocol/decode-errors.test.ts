/**
 * Param decoding failures read exactly like the reference's serde errors (SPEC §1): the message texts,
 * which error wins when several are present, and the array (positional) form.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../../support/paths.js';
import { describe, expect, test } from 'vitest';
import { KNOWN_METHOD_NAMES, decodeParams, unknownMethodMessage } from '../../../src/protocol/index.js';

const SHARED_PROTOCOL = path.join(FIXTURES, 'protocol'); // the checkout's copy of shared/protocol (fixtures/protocol/ORIGIN.md)

/** The error message of a decode that must fail. */
function failure(method: string, raw: unknown): string {
  const result = decodeParams(method, raw);
  if (result.ok) throw new Error(`expected ${method} ${JSON.stringify(raw)} to fail, got ${JSON.stringify(result.value)}`);
  return result.message;
}

describe('request-level errors', () => {
  test('absent or null params: missing field `params`', () => {
    expect(failure('thread/start', undefined)).toBe('Invalid request: missing field `params`');
    expect(failure('thread/list', null)).toBe('Invalid request: missing field `params`');
    expect(decodeParams('thread/start', undefined)).toMatchObject({ ok: false, reason: 'missing-params' });
  });

  test('initialize {} lacks clientInfo; clientInfo without version lacks version', () => {
    expect(failure('initialize', {})).toBe('Invalid request: missing field `clientInfo`');
    expect(failure('initialize', { clientInfo: { name: 'c' } })).toBe('Invalid request: missing field `version`');
    expect(failure('initialize', { clientInfo: 'c' })).toBe(
      'Invalid request: invalid type: string "c", expected struct ClientInfo',
    );
  });

  test('unknown method lists the 187 reference names in order, and wins over missing params', () => {
    const names: string[] = JSON.parse(readFileSync(path.join(SHARED_PROTOCOL, 'client-request-methods.json'), 'utf8'));
    expect(KNOWN_METHOD_NAMES).toEqual(names);
    const expected = `Invalid request: unknown variant \`foo/bar\`, expected one of ${names.map((n) => `\`${n}\``).join(', ')}`;
    expect(unknownMethodMessage('foo/bar')).toBe(expected);
    expect(failure('foo/bar', {})).toBe(expected);
    expect(failure('foo/bar', undefined)).toBe(expected);
    expect(expected.startsWith('Invalid request: unknown variant `foo/bar`, expected one of `initialize`, `server/diagnostics`, ')).toBe(true);
    expect(expected.match(/`[^`]+`/g)).toHaveLength(188);
  });

  test('prototype property names are unknown methods, not crashes', () => {
    expect(decodeParams('constructor', {})).toMatchObject({ ok: false, reason: 'unknown-method' });
    expect(decodeParams('__proto__', {})).toMatchObject({ ok: false, reason: 'unknown-method' });
  });

  test('a reference method we do not implement is reported as such, after the params check', () => {
    expect(decodeParams('feedback/upload', { classification: 'x' })).toMatchObject({ ok: false, reason: 'not-implemented' });
    expect(failure('feedback/upload', undefined)).toBe('Invalid request: missing field `params`');
  });

  test('params that are not an object or array', () => {
    expect(failure('thread/list', 'x')).toBe('Invalid request: invalid type: string "x", expected struct ThreadListParams');
    expect(failure('thread/start', 7)).toBe('Invalid request: invalid type: integer `7`, expected struct ThreadStartParams');
    expect(failure('thread/start', true)).toBe('Invalid request: invalid type: boolean `true`, expected struct ThreadStartParams');
  });
});

describe('field type errors', () => {
  test.each([
    ['thread/list', { archived: 1 }, 'invalid type: integer `1`, expected a boolean'],
    ['thread/list', { limit: 'x' }, 'invalid type: string "x", expected u32'],
    ['thread/list', { limit: -1 }, 'invalid value: integer `-1`, expected u32'],
    ['thread/list', { limit: 4294967296 }, 'invalid value: integer `4294967296`, expected u32'],
    ['thread/list', { limit: 1.5 }, 'invalid type: floating point `1.5`, expected u32'],
    ['thread/list', { limit: true }, 'invalid type: boolean `true`, expected u32'],
    ['thread/list', { limit: [] }, 'invalid type: sequence, expected u32'],
    ['thread/list', { limit: {} }, 'invalid type: map, expected u32'],
    ['thread/list', { modelProviders: 'openai' }, 'invalid type: string "openai", expected a sequence'],
    ['thread/list', { cwd: 5 }, 'data did not match any variant of untagged enum ThreadListCwdFilter'],
    ['thread/list', { useStateDbOnly: null }, 'invalid type: null, expected a boolean'],
    ['thread/read', { threadId: 'x', includeTurns: null }, 'invalid type: null, expected a boolean'],
    ['thread/start', { ephemeral: 'yes' }, 'invalid type: string "yes", expected a boolean'],
    ['thread/start', { config: [] }, 'invalid type: sequence, expected a map'],
    ['thread/archive', { threadId: 5 }, 'invalid type: integer `5`, expected a string'],
    ['turn/start', { threadId: 't', input: [], cwd: 1 }, 'invalid type: integer `1`, expected path string'],
    ['turn/start', { threadId: 't', input: {} }, 'invalid type: map, expected a sequence'],
  ])('%s %j → %s', (method, raw, message) => {
    expect(failure(method, raw)).toBe(`Invalid request: ${message}`);
  });

  test('strings are quoted the way Rust Debug prints them', () => {
    expect(failure('thread/list', { limit: 'a"b\\c\nd\te\u0001' })).toBe(
      'Invalid request: invalid type: string "a\\"b\\\\c\\nd\\te\\u{1}", expected u32',
    );
    expect(failure('thread/list', { limit: "it's é" })).toBe('Invalid request: invalid type: string "it\'s é", expected u32');
  });

  test('missing required fields', () => {
    expect(failure('thread/archive', {})).toBe('Invalid request: missing field `threadId`');
    expect(failure('turn/start', { threadId: 't' })).toBe('Invalid request: missing field `input`');
    expect(failure('turn/interrupt', { turnId: 'u' })).toBe('Invalid request: missing field `threadId`');
    // Declaration order decides among several missing fields.
    expect(failure('thread/name/set', {})).toBe('Invalid request: missing field `threadId`');
  });
});

describe('enumerations', () => {
  test('unknown turn/start input type uses the SPEC text', () => {
    expect(failure('turn/start', { threadId: 't', input: [{ type: 'bogus' }] })).toBe(
      'Invalid request: unknown variant `bogus`, expected one of `text`, `image`, `localImage`, `audio`, `localAudio`, `skill`, `mention`',
    );
  });

  test('input items: missing tag, missing fields, wrong shape', () => {
    const input = (item: unknown) => failure('turn/start', { threadId: 't', input: [item] });
    expect(input({ text: 'hi' })).toBe('Invalid request: missing field `type`');
    expect(input({ type: 'text' })).toBe('Invalid request: missing field `text`');
    expect(input({ type: 'skill', name: 's' })).toBe('Invalid request: missing field `path`');
    expect(input('hi')).toBe('Invalid request: invalid type: string "hi", expected internally tagged enum UserInput');
    // serde also accepts a variant index as the tag: 3 is `audio`, which needs a url or fileId.
    expect(input({ type: 3 })).toBe('Invalid request: data did not match any variant of untagged enum UserInputSource');
    expect(input({ type: 7 })).toBe('Invalid request: invalid value: integer `7`, expected variant index 0 <= i < 7');
    expect(input({ type: true })).toBe('Invalid request: invalid type: boolean `true`, expected variant identifier');
    expect(input({ type: 'image' })).toBe('Invalid request: data did not match any variant of untagged enum UserInputSource');
  });

  test('unit enums: one-of, two-way "or", non-string values', () => {
    expect(failure('thread/list', { sortKey: 'name' })).toBe(
      'Invalid request: unknown variant `name`, expected one of `created_at`, `updated_at`, `recency_at`, `section_position`',
    );
    expect(failure('thread/list', { sortDirection: 'up' })).toBe('Invalid request: unknown variant `up`, expected `asc` or `desc`');
    expect(failure('thread/start', { sandbox: 1 })).toBe('Invalid request: invalid type: integer `1`, expected string or map');
    expect(failure('thread/start', { sandbox: {} })).toBe('Invalid request: invalid value: map, expected map with a single key');
    expect(failure('thread/list', { sourceKinds: ['vscode', 'web'] })).toMatch(/^Invalid request: unknown variant `web`, expected one of `cli`, `vscode`, /);
  });

  test('approval policy: 0.169.0 variants, granular struct variant', () => {
    expect(failure('thread/start', { approvalPolicy: 'on-failure' })).toBe(
      'Invalid request: unknown variant `on-failure`, expected one of `untrusted`, `on-request`, `granular`, `never`',
    );
    expect(failure('thread/start', { approvalPolicy: 'granular' })).toBe(
      'Invalid request: invalid type: unit variant, expected struct variant',
    );
    expect(failure('thread/start', { approvalPolicy: { granular: { rules: true } } })).toBe(
      'Invalid request: missing field `sandbox_approval`',
    );
    expect(failure('thread/start', { approvalPolicy: { never: 1 } })).toBe('Invalid request: invalid type: integer `1`, expected unit');
  });
});

describe('which error wins', () => {
  test('object keys are visited in byte order (the reference map is sorted), not arrival order', () => {
    expect(failure('thread/list', { limit: 'x', archived: 1 })).toBe('Invalid request: invalid type: integer `1`, expected a boolean');
    expect(failure('thread/list', { sortKey: 'bad', limit: -1 })).toBe('Invalid request: invalid value: integer `-1`, expected u32');
  });

  test('a bad present field is reported before a missing required one', () => {
    expect(failure('thread/read', { includeTurns: 1 })).toBe('Invalid request: invalid type: integer `1`, expected a boolean');
  });

  test('unknown extra fields never fail', () => {
    expect(decodeParams('thread/archive', { threadId: 'x', zzz: 1, aaa: { deep: [] } }).ok).toBe(true);
  });
});

describe('array (positional) params', () => {
  test('thread/list [1,2] decodes 1 into the first field, a boolean (SPEC §1)', () => {
    expect(failure('thread/list', [1, 2])).toBe('Invalid request: invalid type: integer `1`, expected a boolean');
  });

  test('elements fill fields in declaration order', () => {
    expect(decodeParams('thread/archive', ['abc'])).toEqual({ ok: true, value: { threadId: 'abc' } });
    expect(decodeParams('turn/interrupt', ['t', 'u'])).toEqual({ ok: true, value: { threadId: 't', turnId: 'u' } });
    expect(decodeParams('thread/read', ['t'])).toEqual({ ok: true, value: { threadId: 't', includeTurns: false } });
  });

  test('too short and too long arrays', () => {
    expect(failure('thread/archive', [])).toBe('Invalid request: invalid length 0, expected struct ThreadArchiveParams with 1 element');
    expect(failure('turn/interrupt', ['t'])).toBe('Invalid request: invalid length 1, expected struct TurnInterruptParams with 2 elements');
    expect(failure('thread/archive', ['a', 2])).toBe('Invalid request: invalid length 2, expected 1 element in sequence');
    expect(failure('thread/loaded/list', [null, 5, 6])).toBe('Invalid request: invalid length 3, expected 2 elements in sequence');
  });
});
