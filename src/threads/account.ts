import type { StoredAuth } from '../config/auth-file.js';
import { ThreadError } from './errors.js';

/**
 * Where the account answers come from: whether the configured model provider needs an OpenAI login
 * (`requires_openai_auth`; the built-in `openai` provider does) and the login stored in `auth.json`, read afresh on
 * every call so a login made by another process is seen.
 */
export interface AuthSource {
  readonly requiresOpenaiAuth: boolean;
  read(): Promise<StoredAuth | null>;
}

/** `account/read` result, keys in the reference's order. */
export interface AccountRead {
  account: { type: 'apiKey' } | null;
  userId: string | null;
  requiresOpenaiAuth: boolean;
  workspaceRouting: null;
}

/** Legacy `getAuthStatus` result, keys in the reference's order. */
export interface AuthStatus {
  authMethod: 'apikey' | 'chatgpt' | null;
  authToken: string | null;
  requiresOpenaiAuth: boolean;
}

/**
 * Reference behaviour (observed on 0.169.0): a provider that needs no OpenAI login reports no account whatever
 * `auth.json` holds; otherwise an API-key login is `{type: "apiKey"}` and no login is `null`. A ChatGPT login
 * without tokens fails with the reference's text; with tokens the reference asks the ChatGPT backend for the
 * workspace routing, which this server never contacts, so it answers the reference's offline failure.
 */
export async function readAccount(source: AuthSource): Promise<AccountRead> {
  const none: AccountRead = { account: null, userId: null, requiresOpenaiAuth: source.requiresOpenaiAuth, workspaceRouting: null };
  if (!source.requiresOpenaiAuth) return none;
  const auth = await source.read();
  if (auth === null) return none;
  if (auth.mode === 'apiKey') return { ...none, account: { type: 'apiKey' } };
  if (auth.accessToken === null) throw new ThreadError('invalid-request', 'plan type is required for chatgpt authentication');
  throw new ThreadError('unavailable', 'workspace routing discovery failed');
}

/**
 * Reference behaviour: no method and no token unless the provider needs an OpenAI login and a usable credential is
 * stored (an empty API key or a ChatGPT login without an access token is none). The token only with `includeToken`.
 * A ChatGPT token is returned as stored: this server never refreshes it (`refreshToken` has no effect).
 */
export async function authStatus(source: AuthSource, includeToken: boolean): Promise<AuthStatus> {
  const none: AuthStatus = { authMethod: null, authToken: null, requiresOpenaiAuth: source.requiresOpenaiAuth };
  if (!source.requiresOpenaiAuth) return none;
  const auth = await source.read();
  const credential = auth === null ? null : auth.mode === 'apiKey' ? auth.apiKey : auth.accessToken;
  if (auth === null || !credential) return none;
  return { authMethod: auth.mode === 'apiKey' ? 'apikey' : 'chatgpt', authToken: includeToken ? credential : null, requiresOpenaiAuth: true };
}

/**
 * `account/rateLimits/read` always fails here, with the reference's texts: rate limits exist only for a ChatGPT
 * account (whatever the provider), and reading them means a request to the ChatGPT backend, which this server does
 * not make.
 */
export async function readRateLimits(source: AuthSource): Promise<never> {
  const auth = await source.read();
  if (auth === null) throw new ThreadError('invalid-request', 'codex account authentication required to read rate limits');
  if (auth.mode === 'apiKey') throw new ThreadError('invalid-request', 'chatgpt authentication required to read rate limits');
  throw new ThreadError('unavailable', 'failed to fetch codex rate limits: this server does not contact the ChatGPT backend');
}
