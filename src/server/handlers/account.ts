import type { Handler } from '../context.js';

/** `account/read`: `refreshToken` has no effect (this server never refreshes a ChatGPT token). */
export const handleAccountRead: Handler<'account/read'> = async (_params, cx) => ({ result: await cx.threads.readAccount() });

/** Legacy `getAuthStatus`: the token only with `includeToken: true`. */
export const handleGetAuthStatus: Handler<'getAuthStatus'> = async (params, cx) => ({ result: await cx.threads.authStatus(params.includeToken === true) });

/** `account/rateLimits/read`: always the reference's error for the stored login. */
export const handleAccountRateLimitsRead: Handler<'account/rateLimits/read'> = async (_params, cx) => ({ result: await cx.threads.readRateLimits() });
