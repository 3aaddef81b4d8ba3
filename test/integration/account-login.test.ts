/**
 * `account/login/start` (API key) and `account/logout`, compared with the reference (codex app-server 0.169.0):
 * the same answers, notifications, error texts and `auth.json` bytes and mode.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { request, requestError, setupEnv, spawnServer } from './helpers.js';

test('an API-key login is stored as the reference stores it; logout forgets it', async () => {
  const { home } = await setupEnv();
  const mcp = await spawnServer(home);
  expect(await request(mcp, 'account/login/start', { type: 'apiKey', apiKey: 'sk-test-123' })).toEqual({ type: 'apiKey' });
  expect((await mcp.readStreamUntilNotificationMessage('account/login/completed')).params).toEqual({ loginId: null, success: true, error: null, onboardingEntrypoint: null });
  expect((await mcp.readStreamUntilNotificationMessage('account/updated')).params).toEqual({ authMode: 'apikey', planType: null });
  const auth = path.join(home, 'auth.json');
  expect(readFileSync(auth, 'utf8')).toBe('{\n  "auth_mode": "apikey",\n  "OPENAI_API_KEY": "sk-test-123"\n}');
  expect(statSync(auth).mode & 0o777).toBe(0o600);

  expect(await requestError(mcp, 'account/login/start', { type: 'apiKey' })).toEqual({ code: -32600, message: 'Invalid request: missing field `apiKey`' });
  expect(await requestError(mcp, 'account/login/start', { type: 'bogus' })).toEqual({
    code: -32600,
    message: 'Invalid request: unknown variant `bogus`, expected one of `apiKey`, `chatgpt`, `chatgptDeviceCode`, `chatgptAuthTokens`, `amazonBedrock`, `amazonBedrockAccessKeys`',
  });

  expect(await request(mcp, 'account/logout', undefined)).toEqual({});
  expect((await mcp.readStreamUntilNotificationMessage('account/updated')).params).toEqual({ authMode: null, planType: null });
  expect(existsSync(auth)).toBe(false);
  expect(await request(mcp, 'account/logout', {})).toEqual({});
});
