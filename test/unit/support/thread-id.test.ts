import { describe, expect, test } from 'vitest';
import { parseThreadId } from '../../../src/support/thread-id.js';

describe('parseThreadId', () => {
  test('accepts hyphenated, simple, braced and urn forms and lowercases them', () => {
    const id = '01a211bb-1b90-7a63-a05b-5f773a6eefd3';
    expect(parseThreadId(id)).toEqual({ ok: true, id });
    expect(parseThreadId(id.toUpperCase())).toEqual({ ok: true, id });
    expect(parseThreadId(id.replace(/-/g, ''))).toEqual({ ok: true, id });
    expect(parseThreadId(`{${id}}`)).toEqual({ ok: true, id });
    expect(parseThreadId(`urn:uuid:${id}`)).toEqual({ ok: true, id });
  });

  test('gives the reference uuid parser texts for malformed ids', () => {
    expect(parseThreadId('not-a-uuid')).toEqual({
      ok: false,
      reason: 'invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1',
    });
    expect(parseThreadId('abc')).toEqual({ ok: false, reason: 'invalid length: expected length 32 for simple format, found 3' });
    expect(parseThreadId('../../etc/passwd')).toMatchObject({ ok: false });
    expect(parseThreadId('01a211bb-1b90-7a63-a05b')).toEqual({ ok: false, reason: 'invalid group count: expected 5, found 4' });
    expect(parseThreadId('01a211bb1-b90-7a63-a05b-5f773a6eefd3')).toEqual({ ok: false, reason: 'invalid group length in group 0: expected 8, found 9' });
  });

  test('rejects path tricks before any path is built', () => {
    for (const bad of ['..%2f..%2fetc', '/etc/passwd', 'a\u0000b', '01a211bb-1b90-7a63-a05b-5f773a6eefd3/../x', '']) {
      expect(parseThreadId(bad).ok).toBe(false);
    }
  });
});
