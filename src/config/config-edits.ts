import { ConfigWriteError } from './config-write-error.js';

/** A TOML table as parsed (smol-toml): plain objects, arrays, strings, numbers, booleans, dates. */
export type TomlTable = Record<string, unknown>;

/** `replace` sets the value; `upsert` merges a table into an existing table (other values are replaced). */
export type MergeStrategy = 'replace' | 'upsert';

/** One edit of the user layer, as `config/value/write` and each entry of `config/batchWrite` give it. */
export interface ConfigEditRequest {
  keyPath: string;
  /** JSON value to write; `null` removes the key. */
  value: unknown;
  mergeStrategy: MergeStrategy;
}

/**
 * Splits a key path as the reference does: on every `.`, no quoting (`a.b` is always two segments). A blank
 * path is the reference's `configValidationError` `keyPath must not be empty`.
 */
export function parseKeyPath(keyPath: string): string[] {
  if (keyPath.trim() === '') throw new ConfigWriteError('configValidationError', 'keyPath must not be empty');
  return keyPath.split('.');
}

export function isTable(value: unknown): value is TomlTable {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** The value at `segments` (tables by key, arrays by index), or `undefined`. */
export function valueAtPath(root: unknown, segments: readonly string[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (isTable(current)) {
      if (!Object.hasOwn(current, segment)) return undefined;
      current = current[segment];
    } else if (Array.isArray(current) && /^\d+$/.test(segment)) {
      current = current[Number(segment)];
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * Applies one edit to `root` (mutated), with the reference's semantics: `null` removes the key (a missing key
 * or parent is no change); otherwise the parents are created (a non-table parent is replaced by a table), and
 * `upsert` of a table onto a table merges it recursively, anything else replaces the value.
 */
export function applyEdit(root: TomlTable, segments: readonly string[], value: unknown, strategy: MergeStrategy): void {
  const last = segments[segments.length - 1]!;
  const parents = segments.slice(0, -1);
  if (value === null) {
    const parent = valueAtPath(root, parents);
    if (isTable(parent)) delete parent[last];
    return;
  }
  let table: TomlTable = root;
  for (let i = 0; i < parents.length; i++) {
    const segment = parents[i]!;
    const next = Object.hasOwn(table, segment) ? table[segment] : undefined;
    if (isTable(next)) {
      table = next;
    } else if (next === undefined) {
      const created: TomlTable = {};
      table[segment] = created;
      table = created;
    } else {
      // The reference turns only the parent it is standing on into a table; the last parent must be one.
      if (i === parents.length - 1) throw new ConfigWriteError('configValidationError', 'cannot set value on non-table parent');
      const created: TomlTable = {};
      table[segment] = created;
      table = created;
    }
  }
  const existing = Object.hasOwn(table, last) ? table[last] : undefined;
  if (strategy === 'upsert' && isTable(existing) && isTable(value)) {
    mergeTables(existing, value);
    return;
  }
  table[last] = structuredClone(value);
}

/** Deep merge of `overlay` into `base` (mutated): tables merge, everything else replaces. */
export function mergeTables(base: TomlTable, overlay: TomlTable): void {
  for (const [key, value] of Object.entries(overlay)) {
    const existing = Object.hasOwn(base, key) ? base[key] : undefined;
    if (isTable(existing) && isTable(value)) mergeTables(existing, value);
    else base[key] = structuredClone(value);
  }
}

/**
 * A JSON value as TOML can hold it: the reference deserialises the JSON into a TOML value, which has no `null`
 * inside arrays or tables. Returns the first problem as the reference's `invalid value: …` text, else null.
 */
export function jsonValueProblem(value: unknown): string | null {
  if (value === null) return 'invalid value: unit value is not supported';
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonValueProblem(item);
      if (problem) return problem;
    }
  } else if (isTable(value)) {
    for (const item of Object.values(value)) {
      const problem = jsonValueProblem(item);
      if (problem) return problem;
    }
  }
  return null;
}
