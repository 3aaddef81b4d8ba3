import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

export const AUTH_FILE_NAME = 'auth.json';

/**
 * The login stored in `$CODEX_HOME/auth.json`, classified as the reference 0.169.0 classifies it (observed):
 * `auth_mode: "apikey"` or, without `auth_mode`, an `OPENAI_API_KEY` string is an API-key login (`""` included);
 * `auth_mode: "chatgpt"` (or `"chatgptAuthTokens"`) or, without `auth_mode`, no API key is a ChatGPT login, whose
 * `tokens` may be missing. The `OPENAI_API_KEY` *environment variable* is not a login (the reference ignores it here).
 */
export type StoredAuth = { mode: 'apiKey'; apiKey: string } | { mode: 'chatgpt'; accessToken: string | null };

/**
 * Reads and classifies `auth.json`. A missing, unreadable or malformed file, an `auth_mode: "apikey"` without a key,
 * or an auth mode this server does not know is no login (`null`). Never writes, never reads the environment.
 */
export async function readStoredAuth(codexHome: string): Promise<StoredAuth | null> {
  let text: string;
  try {
    text = await readFile(join(codexHome, AUTH_FILE_NAME), 'utf8');
  } catch {
    return null;
  }
  return parseAuthJson(text);
}

/** Classifies the text of an `auth.json` (see {@link StoredAuth}). */
export function parseAuthJson(text: string): StoredAuth | null {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return null;
  const record = document as Record<string, unknown>;
  const apiKey = typeof record['OPENAI_API_KEY'] === 'string' ? record['OPENAI_API_KEY'] : null;
  const mode = record['auth_mode'];
  if (mode === 'apikey' || ((mode === undefined || mode === null) && apiKey !== null)) return apiKey === null ? null : { mode: 'apiKey', apiKey };
  if (mode === undefined || mode === null || mode === 'chatgpt' || mode === 'chatgptAuthTokens') return { mode: 'chatgpt', accessToken: accessTokenOf(record['tokens']) };
  return null;
}

function accessTokenOf(tokens: unknown): string | null {
  if (typeof tokens !== 'object' || tokens === null) return null;
  const token = (tokens as Record<string, unknown>)['access_token'];
  return typeof token === 'string' && token !== '' ? token : null;
}

/**
 * `account/login/start` with an API key: `auth.json` becomes `{"auth_mode": "apikey", "OPENAI_API_KEY": …}` (two-space
 * indented, as the reference writes it), mode 0600, replaced atomically.
 */
export async function writeApiKeyAuth(codexHome: string, apiKey: string): Promise<void> {
  const text = JSON.stringify({ auth_mode: 'apikey', OPENAI_API_KEY: apiKey }, null, 2);
  await writeFileAtomic(join(codexHome, AUTH_FILE_NAME), text, 0o600);
}

/** `account/logout`: removes `auth.json` (none is no error). */
export async function removeStoredAuth(codexHome: string): Promise<void> {
  await rm(join(codexHome, AUTH_FILE_NAME), { force: true });
}
