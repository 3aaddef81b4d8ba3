/**
 * Thread id parsing with the reference's error texts (Rust `uuid` crate messages, SPEC §1). Every id is
 * validated here before it is used to build a path, so nothing a client sends can escape CODEX_HOME.
 */

const HEX = /^[0-9a-fA-F]$/;
const BLOCK_STARTS = [0, 9, 14, 19, 24] as const;
const GROUP_LENGTHS = [8, 4, 4, 4, 12] as const;
const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type ThreadIdParse = { ok: true; id: string } | { ok: false; reason: string };

/** True for a lowercase hyphenated UUID, the only form that ever reaches a file name. */
export function isCanonicalThreadId(id: string): boolean {
  return CANONICAL.test(id);
}

/**
 * Parses `simple`, `hyphenated`, `{braced}` and `urn:uuid:` forms and returns the lowercase hyphenated id,
 * or the reason text the reference gives for a malformed one.
 */
export function parseThreadId(input: string): ThreadIdParse {
  let body = input;
  let offset = 0;
  let simple = true;
  if (input.length >= 2 && input.startsWith('{') && input.endsWith('}')) {
    body = input.slice(1, -1);
    offset = 1;
    simple = false;
  } else if (input.startsWith('urn:uuid:')) {
    body = input.slice('urn:uuid:'.length);
    offset = 'urn:uuid:'.length;
    simple = false;
  }
  const hexOnly = body.replace(/-/g, '');
  if (simple && body.length === 32 && /^[0-9a-fA-F]{32}$/.test(body)) {
    return { ok: true, id: hyphenate(body.toLowerCase()) };
  }
  if (body.length === 36 && hexOnly.length === 32 && /^[0-9a-fA-F-]+$/.test(body)) {
    const lower = body.toLowerCase();
    if (CANONICAL.test(lower)) return { ok: true, id: lower };
  }
  return { ok: false, reason: describeInvalid(input, body, offset, simple) };
}

function hyphenate(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Reference behaviour: mirrors the uuid crate's error analysis so messages match byte for byte (SPEC §1).
function describeInvalid(input: string, body: string, offset: number, simple: boolean): string {
  let hyphens = 0;
  const bounds: number[] = [];
  let index = 0;
  for (const character of body) {
    if (character === '-') {
      if (hyphens < 4) bounds.push(index);
      hyphens += 1;
    } else if (!HEX.test(character)) {
      return `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${character}\` at ${index + offset + 1}`;
    }
    index += Buffer.byteLength(character);
  }
  if (hyphens === 0 && simple) {
    return `invalid length: expected length 32 for simple format, found ${Buffer.byteLength(input)}`;
  }
  if (hyphens !== 4) return `invalid group count: expected 5, found ${hyphens + 1}`;
  for (let group = 0; group < 4; group += 1) {
    const start = BLOCK_STARTS[group] as number;
    const bound = bounds[group] as number;
    if (bound !== (BLOCK_STARTS[group + 1] as number) - 1) {
      return `invalid group length in group ${group}: expected ${GROUP_LENGTHS[group]}, found ${bound - start}`;
    }
  }
  return `invalid group length in group 4: expected 12, found ${Buffer.byteLength(body) - BLOCK_STARTS[4]}`;
}
