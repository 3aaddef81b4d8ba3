import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { evAssistantMessage, evCompleted, evCreated, httpResponse, sseResponse, type MockResponse } from '../../src/testing/index.js';
import { requestError, runTurn, setupEnv, shape, spawnServer, startThread, type Json } from './helpers.js';

// Reference behaviour (0.169.0, observed with a probe mock sending these headers to both servers): see
// docs/evidence/issue15.md, "helper O".

const ok = (n: number, headers?: Record<string, string>): MockResponse =>
  sseResponse([evCreated(`r${n}`), ...evAssistantMessage(`m${n}`, `answer ${n}`), evCompleted(`r${n}`)], headers ? { headers } : {});

const NULL_SNAPSHOT = { limitId: 'codex', limitName: null, normalModelSlug: null, primary: null, secondary: null, credits: null, individualLimit: null, spendControlReached: null, planType: null, rateLimitReachedType: null };

function notes(messages: Json[], method: string): Json[] {
  return messages.filter((m) => m['method'] === method).map((m) => m['params']);
}

function tokenCountRateLimits(path: string): Json[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json).filter((l) => l['payload']?.['type'] === 'token_count').map((l) => l['payload']['rate_limits']);
}

describe('account/rateLimits/updated carries the provider rate-limit headers', () => {
  test('codex family: windows (percent rounded half away from zero), limit name, credits; then kept credits when a response has none', async () => {
    const headers = {
      'x-codex-primary-used-percent': '12.5', 'x-codex-primary-window-minutes': '300', 'x-codex-primary-reset-at': '1704069000',
      'x-codex-secondary-used-percent': '40', 'x-codex-secondary-window-minutes': '10080', 'x-codex-secondary-reset-at': '1704600000',
      'x-codex-limit-name': ' main ', 'x-codex-plan-type': 'pro', 'x-codex-rate-limit-reached-type': 'rate_limit_reached',
      'x-codex-credits-has-credits': 'true', 'x-codex-credits-unlimited': '0', 'x-codex-credits-balance': ' 12.34 ',
    };
    const { home } = await setupEnv([ok(1, headers), ok(2)]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const first = (await runTurn(mcp, thread['id'], 'one')) as Json[];
    const credits = { hasCredits: true, unlimited: false, balance: '12.34' };
    expect(notes(first, 'account/rateLimits/updated')).toEqual([{
      rateLimits: {
        ...NULL_SNAPSHOT, limitName: 'main', credits,
        primary: { usedPercent: 13, windowDurationMins: 300, resetsAt: 1704069000 },
        secondary: { usedPercent: 40, windowDurationMins: 10080, resetsAt: 1704600000 },
      },
    }]);
    // Sent with the response's usage, right after thread/tokenUsage/updated.
    const order = shape(first as never).filter((m) => m !== 'thread/readState/changed');
    expect(order.slice(order.indexOf('thread/tokenUsage/updated'), order.indexOf('thread/tokenUsage/updated') + 2)).toEqual(['thread/tokenUsage/updated', 'account/rateLimits/updated']);
    const second = (await runTurn(mcp, thread['id'], 'two')) as Json[];
    expect(notes(second, 'account/rateLimits/updated')).toEqual([{ rateLimits: { ...NULL_SNAPSHOT, credits } }]);
    // account/rateLimits/read does not answer from the headers (no ChatGPT login).
    expect(await requestError(mcp, 'account/rateLimits/read', {})).toMatchObject({ message: 'codex account authentication required to read rate limits' });
    const rollout = tokenCountRateLimits(thread['path']);
    expect(rollout[0]).toEqual({
      limit_id: 'codex', limit_name: 'main', primary: { used_percent: 12.5, window_minutes: 300, resets_at: 1704069000 },
      secondary: { used_percent: 40, window_minutes: 10080, resets_at: 1704600000 }, credits: { has_credits: true, unlimited: false, balance: '12.34' },
      individual_limit: null, spend_control_reached: null, plan_type: null, rate_limit_reached_type: null,
    });
    expect(rollout[1]).toMatchObject({ limit_id: 'codex', primary: null, credits: { has_credits: true } });
  });

  test('several families: the last one by name is reported; zero windows and unparsable values are dropped', async () => {
    const { home } = await setupEnv([
      ok(1, { 'x-codex-primary-used-percent': '5', 'x-codex-zzz-primary-used-percent': '7', 'x-codex-aaa-primary-used-percent': '9', 'x-other-primary-used-percent': '11', 'x-codex-active-limit': 'codex' }),
      ok(2, { 'x-codex-primary-used-percent': '0', 'x-codex-primary-window-minutes': '0', 'x-codex-secondary-used-percent': '0', 'x-codex-secondary-reset-at': '+17', 'x-codex-credits-has-credits': 'TRUE', 'x-codex-credits-unlimited': '1' }),
      ok(3, { 'x-codex-primary-used-percent': 'inf', 'x-codex-secondary-used-percent': '-2.5', 'x-codex-secondary-window-minutes': '1.5', 'x-codex-secondary-reset-after-seconds': '100', 'x-codex-zzz-primary-used-percent': '0', 'x-codex-bengalfox-primary-used-percent': '80', 'x-codex-bengalfox-limit-name': 'Spark' }),
    ]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const got: Json[] = [];
    for (const text of ['a', 'b', 'c']) got.push(...notes((await runTurn(mcp, thread['id'], text)) as Json[], 'account/rateLimits/updated').map((p) => p['rateLimits']));
    const credits = { hasCredits: true, unlimited: true, balance: null };
    expect(got).toEqual([
      { ...NULL_SNAPSHOT, limitId: 'other', primary: { usedPercent: 11, windowDurationMins: null, resetsAt: null } },
      { ...NULL_SNAPSHOT, secondary: { usedPercent: 0, windowDurationMins: null, resetsAt: 17 }, credits },
      // The zzz family (zero, no credits header) is skipped; bengalfox comes last.
      { ...NULL_SNAPSHOT, limitId: 'codex_bengalfox', limitName: 'Spark', primary: { usedPercent: 80, windowDurationMins: null, resetsAt: null }, credits },
    ]);
  });
});

describe('usage-limit 429 answers', () => {
  const limit = (error: Json, headers?: Record<string, string>): MockResponse => httpResponse(429, { error: { type: 'usage_limit_reached', ...error } }, headers);
  const cases: { name: string; answer: MockResponse; message: string; rateLimits: Json | null }[] = [
    { name: 'plus, with a reset time and headers', answer: limit({ plan_type: 'plus', resets_at: 1900000000 }, { 'x-codex-primary-used-percent': '100', 'x-codex-primary-window-minutes': '15', 'x-codex-primary-reset-at': '1900000000' }), message: 'You\u2019ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or try again at RESET.', rateLimits: { ...NULL_SNAPSHOT, primary: { usedPercent: 100, windowDurationMins: 15, resetsAt: 1900000000 } } },
    { name: 'no plan', answer: limit({}), message: 'You\u2019ve hit your usage limit. Try again later.', rateLimits: NULL_SNAPSHOT },
    { name: 'pro (resets_in_seconds is not read)', answer: limit({ plan_type: 'pro', resets_in_seconds: 3600 }), message: 'You\u2019ve hit your usage limit. Visit https://chatgpt.com/settings/usage to purchase more credits or try again later.', rateLimits: NULL_SNAPSHOT },
    { name: 'team', answer: limit({ plan_type: 'self_serve_business_usage_based' }), message: 'You\u2019ve hit your usage limit. To get more access now, send a request to your admin or try again later.', rateLimits: NULL_SNAPSHOT },
    { name: 'free', answer: limit({ plan_type: 'go' }), message: 'You\u2019ve hit your usage limit. Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or try again later.', rateLimits: NULL_SNAPSHOT },
    { name: 'enterprise', answer: limit({ plan_type: 'enterprise', resets_at: 1900000000 }), message: 'You\u2019ve hit your usage limit. Try again at RESET.', rateLimits: NULL_SNAPSHOT },
    { name: 'the active limit names a model', answer: limit({ plan_type: 'team' }, { 'x-codex-active-limit': ' Codex_Bengalfox ', 'x-codex-bengalfox-limit-name': 'Spark', 'x-codex-bengalfox-primary-used-percent': '99' }), message: 'You\u2019ve hit your usage limit for Spark. Switch to another model now, or try again later.', rateLimits: { ...NULL_SNAPSHOT, limitId: 'codex_bengalfox', limitName: 'Spark', primary: { usedPercent: 99, windowDurationMins: null, resetsAt: null } } },
    { name: 'a workspace spend cap', answer: limit({ plan_type: 'plus' }, { 'x-codex-rate-limit-reached-type': 'workspace_member_usage_limit_reached' }), message: 'You hit your spend cap set by the owner of your workspace. Ask an owner to increase your spend cap to continue.', rateLimits: { ...NULL_SNAPSHOT, rateLimitReachedType: 'workspace_member_usage_limit_reached' } },
    { name: 'a promo message', answer: limit({ plan_type: 'plus' }, { 'x-codex-promo-message': '  Try the promo  ' }), message: 'You\u2019ve hit your usage limit. Try the promo, or try again later.', rateLimits: NULL_SNAPSHOT },
    { name: 'usage_not_included', answer: httpResponse(429, { error: { type: 'usage_not_included' } }, { 'x-codex-primary-used-percent': '50' }), message: 'To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus.', rateLimits: null },
  ];

  test.each(cases)('$name', async ({ answer, message, rateLimits }) => {
    const { home } = await setupEnv([answer, ok(2)]);
    // The reset time is shown in local time: pin the zone.
    const mcp = await spawnServer(home, { env: { TZ: 'UTC' } });
    const thread = await startThread(mcp);
    const messages = (await runTurn(mcp, thread['id'], 'hi')) as Json[];
    const turn = notes(messages, 'turn/completed')[0]!['turn'];
    const expected = message.replace('RESET', 'Mar 17th, 2030 5:46 PM');
    expect(turn['status']).toBe('failed');
    expect(turn['error']).toEqual({ message: expected, codexErrorInfo: 'usageLimitExceeded', additionalDetails: null, misalignment: null });
    expect(notes(messages, 'account/rateLimits/updated')).toEqual(rateLimits === null ? [] : [{ rateLimits }]);
    const order = shape(messages as never).filter((m) => m !== 'thread/readState/changed' && m !== 'response');
    expect(order.slice(-4)).toEqual(rateLimits === null ? ['item/completed', 'thread/status/changed', 'error', 'turn/completed'] : ['account/rateLimits/updated', 'thread/status/changed', 'error', 'turn/completed']);
    // The rollout records them in a token_count line (no usage yet) before the task_complete.
    const lines = readFileSync(thread['path'], 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
    const kinds = lines.map((l) => l['payload']?.['type']);
    if (rateLimits !== null) {
      expect(kinds.slice(-2)).toEqual(['token_count', 'task_complete']);
      expect(lines.at(-2)!['payload']['info']).toBeNull();
    } else expect(kinds).not.toContain('token_count');
    expect(lines.at(-1)!['payload']['error']).toEqual({ message: expected, codex_error_info: 'usage_limit_exceeded' });
  });

  test.each([
    ['a non-string plan_type', { error: { type: 'usage_limit_reached', plan_type: 5 } }],
    ['a fractional resets_at', { error: { type: 'usage_limit_reached', resets_at: 1.5 } }],
    ['no error object', { type: 'usage_limit_reached' }],
    ['another error type', { error: { code: 'rate_limit_exceeded', message: 'slow' } }],
  ])('%s is a plain 429', async (_name, body) => {
    const { home } = await setupEnv([httpResponse(429, body, { 'x-codex-primary-used-percent': '50' })]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const messages = (await runTurn(mcp, thread['id'], 'hi')) as Json[];
    expect(notes(messages, 'turn/completed')[0]!['turn']['error']).toMatchObject({ message: 'exceeded retry limit, last status: 429 Too Many Requests', codexErrorInfo: { responseTooManyFailedAttempts: { httpStatusCode: 429 } } });
    expect(notes(messages, 'account/rateLimits/updated')).toEqual([]);
  });

  test('a usage limit after usage reports the usage too, and keeps the earlier credits', async () => {
    const { home } = await setupEnv([
      ok(1, { 'x-codex-primary-used-percent': '33.5', 'x-codex-credits-has-credits': 'true', 'x-codex-credits-unlimited': 'false', 'x-codex-credits-balance': '5' }),
      limit({ plan_type: 'pro' }, { 'x-codex-primary-used-percent': '100', 'x-codex-primary-window-minutes': '300' }),
    ]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    await runTurn(mcp, thread['id'], 'one');
    const messages = (await runTurn(mcp, thread['id'], 'two')) as Json[];
    const order = shape(messages as never).filter((m) => m !== 'thread/readState/changed' && m !== 'response');
    expect(order.slice(-5)).toEqual(['thread/tokenUsage/updated', 'account/rateLimits/updated', 'thread/status/changed', 'error', 'turn/completed']);
    expect(notes(messages, 'account/rateLimits/updated')[0]!['rateLimits']).toEqual({
      ...NULL_SNAPSHOT, primary: { usedPercent: 100, windowDurationMins: 300, resetsAt: null }, credits: { hasCredits: true, unlimited: false, balance: '5' },
    });
  });
});
