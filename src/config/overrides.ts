import { parse } from 'smol-toml';
import { isKnownFeature } from './features.js';

/** One `-c key=value` override: a dotted key path and its TOML value. */
export interface ConfigOverride {
  /** Dotted path (`model_providers.mock.base_url`), split on every `.` as the reference does. */
  path: string;
  value: unknown;
}

/**
 * A command-line override that cannot be used. The message is the reference's text (`Invalid override (missing
 * '='): foo`, `Unknown feature flag: foo`); `main.ts` prints it after `Error: ` and exits 1.
 */
export class OverrideError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverrideError';
  }
}

/**
 * Parses raw `key=value` strings as the reference's `CliConfigOverrides::parse_overrides` does: split on the first
 * `=`, both halves trimmed, the value parsed as a TOML value and, when that fails, used as a literal string with
 * surrounding quotes stripped (`-c model=o3` works without quoting). Throws `OverrideError` on a missing `=` or an
 * empty key, with the reference's texts behind its `error parsing -c overrides: ` prefix.
 */
export function parseConfigOverrides(raw: readonly string[]): ConfigOverride[] {
  return raw.map((entry) => {
    const eq = entry.indexOf('=');
    if (eq < 0) throw new OverrideError(`error parsing -c overrides: Invalid override (missing '='): ${entry}`);
    const key = entry.slice(0, eq).trim();
    const valueText = entry.slice(eq + 1).trim();
    if (key === '') throw new OverrideError(`error parsing -c overrides: Empty key in override: ${entry}`);
    return { path: canonicalKey(key), value: parseTomlValue(valueText) };
  });
}

/**
 * `--enable X` / `--disable X` as the reference folds them in: `features.X=true|false` after every `-c`, enables
 * before disables. Throws `OverrideError` (`Unknown feature flag: X`) for a name the reference does not know.
 */
export function featureToggleOverrides(enable: readonly string[], disable: readonly string[]): ConfigOverride[] {
  for (const name of [...enable, ...disable]) {
    if (!isKnownFeature(name)) throw new OverrideError(`Unknown feature flag: ${name}`);
  }
  return [...enable.map((name) => ({ path: `features.${name}`, value: true })), ...disable.map((name) => ({ path: `features.${name}`, value: false }))];
}

/**
 * Applies overrides in order onto a parsed config.toml document (mutated and returned): intermediate tables are
 * created, and a non-table in the way is replaced by a table, as the reference's `apply_single_override` does.
 */
export function applyConfigOverrides(document: Record<string, unknown>, overrides: readonly ConfigOverride[]): Record<string, unknown> {
  for (const { path, value } of overrides) {
    const parts = path.split('.');
    let table = document;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(table, part) ? table[part] : undefined;
      if (isTable(next)) {
        table = next;
      } else {
        const created: Record<string, unknown> = {};
        table[part] = created;
        table = created;
      }
    }
    table[parts[parts.length - 1]!] = value;
  }
  return document;
}

/** Reference behaviour: the legacy top-level `use_legacy_landlock` key means the feature flag. */
function canonicalKey(key: string): string {
  return key === 'use_legacy_landlock' ? 'features.use_legacy_landlock' : key;
}

function parseTomlValue(text: string): unknown {
  try {
    const document = parse(`_x_ = ${text}`);
    if (Object.hasOwn(document, '_x_')) return document['_x_'];
  } catch {
    // Not a TOML value: the literal string below.
  }
  return text.replace(/^["']+|["']+$/g, '');
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
