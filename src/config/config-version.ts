import { nodeCrypto } from '../support/lazy-modules.js';

/**
 * The version of a config layer as the reference computes it: SHA-256 of the layer's parsed TOML value as JSON
 * with every object's keys sorted (compact, no spaces), written `sha256:<hex>`. It depends on the values only,
 * never on comments or formatting, so a client's `expectedVersion` survives a reformat but not an edit.
 */
export function configVersion(value: unknown): string {
  return `sha256:${nodeCrypto().createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex')}`;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((key) => [key, canonical(record[key])]));
  }
  return value;
}
