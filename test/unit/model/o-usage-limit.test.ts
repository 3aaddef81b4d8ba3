import { describe, expect, test } from 'vitest';
import { parseRateLimitUpdates } from '../../../src/model/rate-limits.js';
import { formatRetryTime, usageLimitFailure } from '../../../src/model/usage-limit.js';
import { roundPercent } from '../../../src/threads/rate-limit-render.js';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n] ?? null, keys: () => Object.keys(h) });

describe('usage-limit texts (reference 0.169.0)', () => {
  test('the reset time: clock time on the same local day, date with ordinal otherwise', () => {
    const at = new Date(2030, 2, 17, 17, 46, 40).getTime();
    expect(formatRetryTime(at, new Date(2030, 2, 17, 9, 0).getTime())).toBe('5:46 PM');
    expect(formatRetryTime(at, new Date(2030, 2, 16, 23, 59).getTime())).toBe('Mar 17th, 2030 5:46 PM');
    expect(formatRetryTime(new Date(2030, 0, 1, 0, 5).getTime(), 0)).toBe('Jan 1st, 2030 12:05 AM');
    expect(formatRetryTime(new Date(2030, 0, 2, 12, 0).getTime(), 0)).toBe('Jan 2nd, 2030 12:00 PM');
    expect(formatRetryTime(new Date(2030, 0, 23, 1, 0).getTime(), 0)).toBe('Jan 23rd, 2030 1:00 AM');
    expect(formatRetryTime(new Date(2030, 0, 12, 1, 0).getTime(), 0)).toBe('Jan 12th, 2030 1:00 AM');
  });

  test.each([
    ['promax', 'You\u2019ve hit your usage limit. Visit https://chatgpt.com/settings/usage to purchase more credits or try again later.'],
    ['ent26', 'You\u2019ve hit your usage limit. To get more access now, send a request to your admin or try again later.'],
    ['sci_plus', 'You\u2019ve hit your usage limit. To get more access now, send a request to your admin or try again later.'],
    ['edu_pro', 'You\u2019ve hit your usage limit. Try again later.'],
    ['PLUS', 'You\u2019ve hit your usage limit. Try again later.'],
    ['free', 'You\u2019ve hit your usage limit. Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or try again later.'],
  ])('plan %s', (plan, message) => {
    expect(usageLimitFailure(JSON.stringify({ error: { type: 'usage_limit_reached', plan_type: plan } }), headers({}), 0)?.message).toBe(message);
  });

  test('the limit name wins over the reached type, a "codex" name does not count, an out-of-range reset is dropped', () => {
    const body = JSON.stringify({ error: { type: 'usage_limit_reached', resets_at: 99999999999999 } });
    expect(usageLimitFailure(body, headers({ 'x-codex-limit-name': 'Other', 'x-codex-rate-limit-reached-type': 'workspace_owner_usage_limit_reached' }), 0)?.message)
      .toBe('You\u2019ve hit your usage limit for Other. Switch to another model now, or try again later.');
    expect(usageLimitFailure(body, headers({ 'x-codex-limit-name': 'Codex', 'x-codex-rate-limit-reached-type': 'bogus' }), 0))
      .toMatchObject({ message: 'You\u2019ve hit your usage limit. Try again later.', rateLimits: { limitName: 'Codex', rateLimitReachedType: null } });
  });
});

describe('rate-limit headers', () => {
  test('an underscore family name looks for dashed headers (so finds none), non-integer minutes are dropped', () => {
    const got = parseRateLimitUpdates(headers({ 'x-foo_bar-primary-used-percent': '5', 'x-codex-primary-used-percent': '1e1', 'x-codex-primary-window-minutes': '1.5', 'x-codex-primary-reset-at': '99999999999999999999' }));
    expect(got).toEqual([{ limitId: 'codex', limitName: null, primary: { usedPercent: 10, windowMinutes: null, resetsAt: null }, secondary: null, credits: null, planType: null, rateLimitReachedType: null }]);
  });

  test('percent rounding is Rust\u2019s (half away from zero), saturating to i32', () => {
    expect([0.5, 1.5, 2.5, -0.5, -2.5, -0.2, 1e12].map(roundPercent)).toEqual([1, 2, 3, -1, -3, 0, 2147483647]);
  });
});

describe('the client reports each HTTP 200\u2019s rate-limit headers first', () => {
  test('one rateLimits event per attempt, before the body events', async () => {
    const { createMockResponsesServer, sseResponse, evCreated, evCompleted } = await import('../../../src/testing/index.js');
    const { collect, modelRequest, provider, testClient } = await import('./helpers.js');
    const mock = await createMockResponsesServer([sseResponse([evCreated('r1'), evCompleted('r1')], { headers: { 'x-codex-primary-used-percent': '7', 'x-codex-b-primary-used-percent': '8' } })]);
    try {
      const { client } = testClient(provider(mock.uri));
      const { rateLimits, events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));
      expect(error).toBeNull();
      expect(events.map((e) => e.type)).toEqual(['created', 'completed']);
      expect(rateLimits.map((e) => e.snapshots.map((s) => [s.limitId, s.primary?.usedPercent]))).toEqual([[['codex', 7], ['codex_b', 8]]]);
    } finally {
      await mock.close();
    }
  });
});
