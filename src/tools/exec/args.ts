/**
 * Decoding a tool call's JSON arguments the way the reference's serde derive does, with its error texts: the model
 * gets `failed to parse function arguments: <serde message> at line L column C` and the turn goes on.
 * Unknown fields are ignored; `null` is "absent" for optional fields.
 */
export type FieldKind = 'string' | 'bool' | 'u64' | 'usize' | 'i32' | 'strings' | { oneOf: readonly string[] };

export interface FieldSpec {
  kind: FieldKind;
  required?: boolean;
}

export type Decoded = Record<string, unknown>;

/** Decodes `text` against `fields` (in declaration order), or returns the serde-style error message. */
export function decodeArgs(text: string, fields: Record<string, FieldSpec>): { ok: true; value: Decoded } | { ok: false; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: syntaxError(text) };
  }
  if (Array.isArray(parsed) && parsed.length > 0) {
    // serde also reads a struct from a sequence, field by field: the first element must be the first field.
    const [firstName, firstSpec] = Object.entries(fields)[0]!;
    const problem = check(parsed[0], firstSpec.kind);
    if (problem) return { ok: false, error: `${problem} at ${position(text, firstElementEnd(text))}` };
    void firstName;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: `invalid type: ${describe(parsed)}, expected struct at ${position(text, text.trimEnd().length)}` };
  }
  const ends = topLevelValueEnds(text);
  const value: Decoded = {};
  for (const [key, raw] of Object.entries(parsed as Record<string, unknown>)) {
    const spec = fields[key];
    if (!spec) continue;
    if (raw === null && !spec.required) continue;
    const problem = check(raw, spec.kind);
    if (problem) return { ok: false, error: `${problem} at ${position(text, ends.get(key) ?? text.length)}` };
    value[key] = raw;
  }
  for (const [key, spec] of Object.entries(fields)) {
    if (spec.required && !(key in value)) return { ok: false, error: `missing field \`${key}\` at ${position(text, text.trimEnd().length)}` };
  }
  return { ok: true, value };
}

function check(raw: unknown, kind: FieldKind): string | null {
  const expected = (what: string): string => `invalid type: ${describe(raw)}, expected ${what}`;
  if (typeof kind === 'object') {
    if (typeof raw !== 'string') return expected('a string');
    if (kind.oneOf.includes(raw)) return null;
    return `unknown variant \`${raw}\`, expected one of ${kind.oneOf.map((v) => `\`${v}\``).join(', ')}`;
  }
  switch (kind) {
    case 'string':
      return typeof raw === 'string' ? null : expected('a string');
    case 'bool':
      return typeof raw === 'boolean' ? null : expected('a boolean');
    case 'strings':
      if (!Array.isArray(raw)) return expected('a sequence');
      for (const item of raw) if (typeof item !== 'string') return `invalid type: ${describe(item)}, expected a string`;
      return null;
    case 'u64':
    case 'usize':
    case 'i32': {
      if (typeof raw !== 'number') return expected(kind);
      if (!Number.isInteger(raw)) return expected(kind);
      const max = kind === 'i32' ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
      const min = kind === 'i32' ? -(2 ** 31) : 0;
      if (raw < min || raw > max) return `invalid value: integer \`${raw}\`, expected ${kind}`;
      return null;
    }
  }
}

function describe(raw: unknown): string {
  if (raw === null) return 'null';
  if (typeof raw === 'string') return `string ${JSON.stringify(raw)}`;
  if (typeof raw === 'boolean') return `boolean \`${raw}\``;
  if (typeof raw === 'number') return Number.isInteger(raw) ? `integer \`${raw}\`` : `floating point \`${raw}\``;
  if (Array.isArray(raw)) return 'sequence';
  return 'map';
}

/** serde_json's `line L column C` for a byte offset (column = characters of that line consumed). */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1);
  return `line ${line} column ${column}`;
}

/** A serde-like message for text that is not JSON: `expected ident` after a bad literal, else `expected value`. */
function syntaxError(text: string): string {
  const start = text.search(/\S/);
  if (start < 0) return `EOF while parsing a value at ${position(text, text.length)}`;
  const c = text[start]!;
  if ('ntf'.includes(c)) {
    const literal = c === 'n' ? 'null' : c === 't' ? 'true' : 'false';
    let i = 0;
    while (i < literal.length && text[start + i] === literal[i]) i += 1;
    if (start + i >= text.length) return `EOF while parsing a value at ${position(text, text.length)}`;
    return `expected ident at ${position(text, start + i + 1)}`;
  }
  if (!/[[{"\-0-9]/.test(c)) return `expected value at ${position(text, start + 1)}`;
  return `expected value at ${position(text, text.length)}`;
}

/** For a JSON object text, the end offset (exclusive) of each top-level member's value. */
function topLevelValueEnds(text: string): Map<string, number> {
  const ends = new Map<string, number>();
  let depth = 0;
  let i = 0;
  let key: string | null = null;
  let expectKey = false;
  let valueStarted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const literal = text.slice(i, j + 1);
      if (depth === 1 && expectKey) {
        key = JSON.parse(literal) as string;
        expectKey = false;
      } else if (depth === 1 && key !== null) {
        ends.set(key, j + 1);
        valueStarted = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      depth += 1;
      if (depth === 1) expectKey = true;
      if (depth === 2) valueStarted = true;
    } else if (c === '}' || c === ']') {
      if (depth === 2 && key !== null && valueStarted) ends.set(key, i + 1);
      depth -= 1;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    } else if (depth === 1 && key !== null && /[-0-9a-z.+E]/.test(c) && !expectKey) {
      let j = i;
      while (j < text.length && /[-0-9a-zA-Z.+]/.test(text[j]!)) j += 1;
      ends.set(key, j);
      i = j;
      continue;
    }
    i += 1;
  }
  return ends;
}

/** The end offset of the first element of a JSON array text (a scalar element). */
function firstElementEnd(text: string): number {
  let i = text.indexOf('[') + 1;
  while (/\s/.test(text[i] ?? '')) i += 1;
  if (text[i] === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  let j = i;
  while (j < text.length && /[-0-9a-zA-Z.+]/.test(text[j]!)) j += 1;
  return j;
}
