/**
 * `codexErrorInfo` is spelled in camelCase on the v2 wire (`{"httpConnectionFailed":{"httpStatusCode":401}}`)
 * and in snake_case in rollout files (`{"http_connection_failed":{"http_status_code":401}}`), as the
 * reference writes and reads them. Unit variants are strings (`"internalServerError"` ↔ `"internal_server_error"`).
 */

export function errorInfoToRollout(info: unknown): unknown {
  return renameKeys(info, (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
}

export function errorInfoFromRollout(info: unknown): unknown {
  return renameKeys(info, (k) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
}

/** Renames a unit variant (a string at the top) and every object key, at any depth; other values stay. */
function renameKeys(value: unknown, rename: (key: string) => string, top = true): unknown {
  if (typeof value === 'string') return top ? rename(value) : value;
  if (Array.isArray(value)) return value.map((v) => renameKeys(v, rename, false));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [rename(k), renameKeys(v, rename, false)]));
  }
  return value;
}
