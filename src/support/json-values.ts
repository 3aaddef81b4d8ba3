/** Narrowing helpers for values decoded from JSON (rollout lines, DB columns, wire payloads). */

/** A JSON object as decoded or about to be encoded. */
export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value if it is a string, else null. */
export function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The string elements of an array; empty for anything else. */
export function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

/** The value if it is a safe integer, else null. */
export function asInteger(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}
