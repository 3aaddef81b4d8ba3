import { ThreadError } from '../../threads/errors.js';
import type { Handler } from '../context.js';

/** `account/read`: `refreshToken` has no effect (this server never refreshes a ChatGPT token). */
export const handleAccountRead: Handler<'account/read'> = async (_params, cx) => ({ result: await cx.threads.readAccount() });

/** Legacy `getAuthStatus`: the token only with `includeToken: true`. */
export const handleGetAuthStatus: Handler<'getAuthStatus'> = async (params, cx) => ({ result: await cx.threads.authStatus(params.includeToken === true) });

/** `account/rateLimits/read`: always the reference's error for the stored login. */
export const handleAccountRateLimitsRead: Handler<'account/rateLimits/read'> = async (_params, cx) => ({ result: await cx.threads.readRateLimits() });

/**
 * `account/login/start`: the API-key method stores the key (`auth.json`, 0600), answers `{type: "apiKey"}`, then
 * `account/login/completed` and `account/updated`. The ChatGPT and Bedrock flows need services this server never
 * contacts and are refused.
 */
export const handleAccountLoginStart: Handler<'account/login/start'> = async (params, cx) => {
  if (params.type !== 'apiKey') throw new ThreadError('invalid-request', `login type \`${params.type}\` is not supported by this server`);
  if (params.apiKey === null || params.apiKey === undefined) throw new ThreadError('invalid-request', 'Invalid request: missing field `apiKey`');
  await cx.config.saveApiKey(params.apiKey);
  return {
    result: { type: 'apiKey' as const },
    after: () => {
      cx.notifier.broadcast('account/login/completed', { loginId: null, success: true, error: null, onboardingEntrypoint: null });
      cx.notifier.broadcast('account/updated', { authMode: 'apikey', planType: null });
    },
  };
};

/** `account/logout`: forgets the stored login; `{}`, then `account/updated` with no auth mode. */
export const handleAccountLogout: Handler<'account/logout'> = async (_params, cx) => {
  await cx.config.logout();
  return { result: {}, after: () => cx.notifier.broadcast('account/updated', { authMode: null, planType: null }) };
};
