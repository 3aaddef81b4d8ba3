/**
 * Rust's string helpers as the reference's apply_patch uses them. They differ from JavaScript's at the edges:
 * Rust's whitespace is Unicode White_Space (JS `\s` also counts U+FEFF, and misses U+0085), and `str::lines`
 * drops the empty piece after a final newline and one `\r` per line.
 */
const WS = '[\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]';
const TRAILING_WS = new RegExp(`${WS}+$`, 'u');
const LEADING_WS = new RegExp(`^${WS}+`, 'u');

/** `str::trim_end`. */
export const trimEnd = (s: string): string => s.replace(TRAILING_WS, '');
/** `str::trim`. */
export const trim = (s: string): string => trimEnd(s).replace(LEADING_WS, '');

/** `str::lines`: split on `\n`, strip one trailing `\r` per line, no empty last piece after a final newline. */
export function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
