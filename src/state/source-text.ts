import type { SessionSource } from '../rollout/types.js';
import { isRecord } from '../support/json-values.js';

/** `threads.source` text: plain sources as they are, sub-agent objects as their JSON. */
export function encodeSource(source: SessionSource): string {
  return typeof source === 'string' ? source : JSON.stringify(source);
}

/**
 * A `threads.source` column value as text. The reference's writers store TEXT, but SQLite keeps whatever class a
 * writer binds: a BLOB (another tool's row) arrives as a Buffer, whose string form is its UTF-8 text, so the row
 * still reads instead of failing every list and lookup that meets it.
 */
export function sourceText(value: unknown): string {
  return String(value);
}

/** Inverse of `encodeSource`; text that is not a JSON object stays a plain source string. */
export function decodeSource(text: string): SessionSource {
  if (!text.startsWith('{')) return text;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : text;
  } catch {
    return text;
  }
}
