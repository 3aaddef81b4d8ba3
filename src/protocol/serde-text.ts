/**
 * The texts of serde / serde_json deserialization errors, reproduced so that our param-decoding
 * failures read exactly like the reference's (`Invalid request: <serde text>`, SPEC §1).
 *
 * Only the wording lives here; which error a given input produces is decided by the wire types
 * (`wire-type.ts`, `wire-struct.ts`, `wire-enum.ts`).
 */

/**
 * Thrown by wire-type decoders. Carries the serde text without the `Invalid request: ` prefix.
 * It never escapes `decodeParams`, which turns it into a value.
 */
export class SerdeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SerdeError';
  }
}

/** `invalid type: <unexpected>, expected <expected>`. */
export function invalidType(value: unknown, expected: string): SerdeError {
  return new SerdeError(`invalid type: ${describeUnexpected(value)}, expected ${expected}`);
}

/** `invalid value: <unexpected>, expected <expected>` (e.g. a negative integer for a u32). */
export function invalidValue(value: unknown, expected: string): SerdeError {
  return new SerdeError(`invalid value: ${describeUnexpected(value)}, expected ${expected}`);
}

/** ``missing field `name` ``. */
export function missingField(name: string): SerdeError {
  return new SerdeError(`missing field \`${name}\``);
}

/** `invalid length <len>, expected <expected>`. */
export function invalidLength(len: number, expected: string): SerdeError {
  return new SerdeError(`invalid length ${len}, expected ${expected}`);
}

/** ``unknown variant `x`, expected one of `a`, `b`, `c` `` (serde's `OneOf` wording for 1, 2 and more names). */
export function unknownVariantText(variant: string, expected: readonly string[]): string {
  if (expected.length === 0) return `unknown variant \`${variant}\`, there are no variants`;
  return `unknown variant \`${variant}\`, expected ${oneOf(expected)}`;
}

/** serde's `OneOf` display: `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` ``. */
export function oneOf(names: readonly string[]): string {
  if (names.length === 1) return `\`${names[0]}\``;
  if (names.length === 2) return `\`${names[0]}\` or \`${names[1]}\``;
  return `one of ${names.map((n) => `\`${n}\``).join(', ')}`;
}

/**
 * serde's `Unexpected` display for a JSON value, as serde_json prints it: `null`, ``boolean `true` ``,
 * ``integer `1` ``, ``floating point `1.5` ``, `string "x"`, `sequence`, `map`.
 * JSON numbers that JavaScript cannot tell from integers (`1.0`) count as integers.
 */
export function describeUnexpected(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return `boolean \`${value}\``;
    case 'number':
      return isJsonInteger(value) ? `integer \`${value}\`` : `floating point \`${rustFloat(value)}\``;
    case 'string':
      return `string ${rustDebugString(value)}`;
    case 'object':
      return Array.isArray(value) ? 'sequence' : 'map';
    default:
      return 'map';
  }
}

/** True when serde_json would have parsed the number as an integer (u64/i64 range, no fraction). */
export function isJsonInteger(n: number): boolean {
  return Number.isInteger(n) && n >= -9223372036854775808 && n <= 18446744073709551615;
}

/** Rust's `{}` for f64 plus serde's rule of always showing a decimal point (`1e21` → `1000000000000000000000.0`). */
function rustFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : n < 0 ? '-inf' : 'NaN';
  let text = String(n);
  const exp = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (exp) {
    const [, sign = '', intPart = '', frac = '', power = '0'] = exp;
    const digits = intPart + frac;
    const point = intPart.length + Number(power);
    text =
      point <= 0
        ? `${sign}0.${'0'.repeat(-point)}${digits}`
        : point >= digits.length
          ? `${sign}${digits}${'0'.repeat(point - digits.length)}`
          : `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  return text.includes('.') ? text : `${text}.0`;
}

/** Rust's `{:?}` for a `str`: double quotes, `\"`, `\\`, `\n`, `\r`, `\t`, `\0`, `\u{…}` for other control characters. */
export function rustDebugString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code === 0) out += '\\0';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}
