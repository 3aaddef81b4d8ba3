/**
 * `account/read`, the legacy `getAuthStatus` and `account/rateLimits/read`. Every expected answer below was observed on
 * the reference (codex app-server 0.169.0) with the same config.toml, auth.json and environment.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { request, requestError, setupEnv, spawnServer } from './helpers.js';

const NO_ACCOUNT = { account: null, userId: null, workspaceRouting: null };
const API_KEY_ACCOUNT = { account: { type: 'apiKey' }, userId: null, requiresOpenaiAuth: true, workspaceRouting: null };
const NO_CODEX_AUTH = { code: -32600, message: 'codex account authentication required to read rate limits' };
const NO_CHATGPT_AUTH = { code: -32600, message: 'chatgpt authentication required to read rate limits' };

/** A home whose config.toml uses the built-in `openai` provider (no `model_provider`), and optionally an auth.json. */
async function openaiHome(auth?: unknown): Promise<string> {
  const { home } = await setupEnv();
  writeFileSync(path.join(home, 'config.toml'), 'model = "mock-model"\napproval_policy = "never"\n[features]\nplugins = false\n');
  if (auth !== undefined) writeFileSync(path.join(home, 'auth.json'), typeof auth === 'string' ? auth : JSON.stringify(auth));
  return home;
}

async function answers(home: string, env?: Record<string, string>) {
  const mcp = await spawnServer(home, { env });
  return {
    account: await request(mcp, 'account/read', {}),
    status: await request(mcp, 'getAuthStatus', {}),
    statusWithToken: await request(mcp, 'getAuthStatus', { includeToken: true, refreshToken: false }),
    rateLimits: await requestError(mcp, 'account/rateLimits/read', {}),
  };
}

describe('a custom provider that needs no OpenAI login', () => {
  test('no account and requiresOpenaiAuth false; rate limits need a Codex account', async () => {
    const { home } = await setupEnv();
    expect(await answers(home)).toEqual({
      account: { ...NO_ACCOUNT, requiresOpenaiAuth: false },
      status: { authMethod: null, authToken: null, requiresOpenaiAuth: false },
      statusWithToken: { authMethod: null, authToken: null, requiresOpenaiAuth: false },
      rateLimits: NO_CODEX_AUTH,
    });
  });

  test('a stored API key is not reported (the provider does not use it), but rate limits then need ChatGPT', async () => {
    const { home } = await setupEnv();
    writeFileSync(path.join(home, 'auth.json'), JSON.stringify({ OPENAI_API_KEY: 'sk-x' }));
    expect(await answers(home)).toEqual({
      account: { ...NO_ACCOUNT, requiresOpenaiAuth: false },
      status: { authMethod: null, authToken: null, requiresOpenaiAuth: false },
      statusWithToken: { authMethod: null, authToken: null, requiresOpenaiAuth: false },
      rateLimits: NO_CHATGPT_AUTH,
    });
  });

  test('requires_openai_auth = true makes the provider report the OpenAI login', async () => {
    const { home } = await setupEnv();
    // The provider table is config.toml's last section.
    appendFileSync(path.join(home, 'config.toml'), 'requires_openai_auth = true\n');
    expect((await answers(home)).account).toEqual({ ...NO_ACCOUNT, requiresOpenaiAuth: true });
    writeFileSync(path.join(home, 'auth.json'), JSON.stringify({ OPENAI_API_KEY: 'sk-x' }));
    const withKey = await answers(home);
    expect(withKey.account).toEqual(API_KEY_ACCOUNT);
    expect(withKey.statusWithToken).toEqual({ authMethod: 'apikey', authToken: 'sk-x', requiresOpenaiAuth: true });
  });
});

describe('the built-in openai provider', () => {
  test('without auth.json: no account, requiresOpenaiAuth true (an OPENAI_API_KEY variable is not a login)', async () => {
    const home = await openaiHome();
    const expected = {
      account: { ...NO_ACCOUNT, requiresOpenaiAuth: true },
      status: { authMethod: null, authToken: null, requiresOpenaiAuth: true },
      statusWithToken: { authMethod: null, authToken: null, requiresOpenaiAuth: true },
      rateLimits: NO_CODEX_AUTH,
    };
    expect(await answers(home)).toEqual(expected);
    expect(await answers(home, { OPENAI_API_KEY: 'sk-env-123' })).toEqual(expected);
  });

  test.for([
    ['an OPENAI_API_KEY', { OPENAI_API_KEY: 'sk-file-456' }],
    ['auth_mode apikey', { auth_mode: 'apikey', OPENAI_API_KEY: 'sk-file-456' }],
    ['a key beside ChatGPT tokens, no auth_mode', { OPENAI_API_KEY: 'sk-file-456', tokens: { id_token: 'x', access_token: 'y', refresh_token: 'z' } }],
  ])('auth.json with %s: the API-key account; the key only with includeToken', async ([, auth]) => {
    expect(await answers(await openaiHome(auth))).toEqual({
      account: API_KEY_ACCOUNT,
      status: { authMethod: 'apikey', authToken: null, requiresOpenaiAuth: true },
      statusWithToken: { authMethod: 'apikey', authToken: 'sk-file-456', requiresOpenaiAuth: true },
      rateLimits: NO_CHATGPT_AUTH,
    });
  });

  test('an empty stored key is an API-key account but no usable credential', async () => {
    const result = await answers(await openaiHome({ OPENAI_API_KEY: '' }));
    expect(result.account).toEqual(API_KEY_ACCOUNT);
    expect(result.statusWithToken).toEqual({ authMethod: null, authToken: null, requiresOpenaiAuth: true });
    expect(result.rateLimits).toEqual(NO_CHATGPT_AUTH);
  });

  test('an unparsable auth.json, or auth_mode apikey without a key, is no login', async () => {
    for (const auth of ['not json', { auth_mode: 'apikey' }]) {
      const result = await answers(await openaiHome(auth));
      expect(result.account).toEqual({ ...NO_ACCOUNT, requiresOpenaiAuth: true });
      expect(result.rateLimits).toEqual(NO_CODEX_AUTH);
    }
  });

  test('a ChatGPT login without tokens: account/read fails with the reference text', async () => {
    for (const auth of [{}, { auth_mode: 'chatgpt', OPENAI_API_KEY: 'sk-y' }]) {
      const mcp = await spawnServer(await openaiHome(auth));
      expect(await requestError(mcp, 'account/read', {})).toEqual({ code: -32600, message: 'plan type is required for chatgpt authentication' });
      expect(await request(mcp, 'getAuthStatus', { includeToken: true })).toEqual({ authMethod: null, authToken: null, requiresOpenaiAuth: true });
    }
  });

  test('a ChatGPT login with tokens: the access token, and the reference offline failures for the backend calls', async () => {
    const tokens = { id_token: 'ID-TOKEN', access_token: 'ACCESS-TOKEN', refresh_token: 'r', account_id: 'acc-1' };
    const mcp = await spawnServer(await openaiHome({ tokens, last_refresh: '2026-12-01T00:00:00Z' }));
    expect(await request(mcp, 'getAuthStatus', { includeToken: true })).toEqual({ authMethod: 'chatgpt', authToken: 'ACCESS-TOKEN', requiresOpenaiAuth: true });
    expect(await requestError(mcp, 'account/read', {})).toEqual({ code: -32603, message: 'workspace routing discovery failed' });
    expect(await requestError(mcp, 'account/rateLimits/read', {})).toMatchObject({ code: -32603, message: expect.stringMatching(/^failed to fetch codex rate limits: /) });
  });
});

describe('params', () => {
  test('serde errors and optional params as the reference answers them', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    expect(await requestError(mcp, 'account/read', { refreshToken: 'x' })).toEqual({ code: -32600, message: 'Invalid request: invalid type: string "x", expected a boolean' });
    expect(await requestError(mcp, 'account/read', undefined)).toEqual({ code: -32600, message: 'Invalid request: missing field `params`' });
    expect(await request(mcp, 'account/read', { refreshToken: true })).toEqual({ ...NO_ACCOUNT, requiresOpenaiAuth: false });
    expect(await request(mcp, 'account/read', [])).toEqual({ ...NO_ACCOUNT, requiresOpenaiAuth: false });
    expect(await requestError(mcp, 'getAuthStatus', undefined)).toEqual({ code: -32600, message: 'Invalid request: missing field `params`' });
    expect(await requestError(mcp, 'getAuthStatus', { includeToken: 'x' })).toEqual({ code: -32600, message: 'Invalid request: invalid type: string "x", expected a boolean' });
    expect(await requestError(mcp, 'getAuthStatus', [true])).toEqual({ code: -32600, message: 'Invalid request: invalid length 1, expected struct GetAuthStatusParams with 2 elements' });
    // account/rateLimits/read takes optional params: absent, null and [] all reach the method.
    for (const params of [undefined, null, [], { excludeResetCreditDetails: true }]) expect(await requestError(mcp, 'account/rateLimits/read', params)).toEqual(NO_CODEX_AUTH);
    expect(await requestError(mcp, 'account/rateLimits/read', { excludeResetCreditDetails: 'x' })).toEqual({ code: -32600, message: 'Invalid request: invalid type: string "x", expected a boolean' });
  });
});
