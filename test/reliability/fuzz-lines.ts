/**
 * fast-check generators of hostile stdin lines for the protocol fuzz test, and the oracle that says which
 * bytes of a stream form requests (and so must get exactly one answer).
 */
import fc from 'fast-check';
import { methodSchemas } from '../../src/protocol/method-schemas.js';
import { IMPLEMENTED_METHODS } from '../../src/protocol/methods.js';

/** The methods this server implements, with every param name their schema declares. */
export const IMPLEMENTED: ReadonlyMap<string, readonly string[]> = new Map(
  IMPLEMENTED_METHODS.map((name) => [name, Object.keys((methodSchemas(name).params as unknown as { shape: Record<string, unknown> }).shape)]),
);

/** Known ids the fuzz may aim at (real threads of the session), filled in by the test. */
export interface FuzzTargets {
  threadIds: string[];
  turnIds: string[];
}

/**
 * Request ids of every flavour (negative, fractional, beyond 2^53, exponent form, empty, unicode), mostly
 * unique, with some deliberate reuse while the earlier request may still be in flight.
 */
export class IdMinter {
  private n = 0;
  private usedEmpty = false;
  private readonly recent: unknown[] = [];

  mint(id: unknown): unknown {
    this.n += 1;
    const n = this.n;
    // Now and then an id already used (the same value, or `5` after `"5"`): each request still needs its answer.
    if (n % 29 === 0 && this.recent.length > 0) {
      const again = this.recent[n % this.recent.length];
      return n % 58 === 0 && typeof again === 'number' ? String(again) : again;
    }
    let minted: unknown = id;
    if (typeof id === 'number') {
      const forms = [n, -n, n + 0.5, 2 ** 53 - 2 * n, n * 1e21, 1 / (n + 1)];
      minted = forms[n % forms.length];
    } else if (typeof id === 'string') {
      if (id === '' && !this.usedEmpty) {
        this.usedEmpty = true;
        minted = '';
      } else minted = `${id}#${n}`;
    }
    if (typeof minted === 'string' || typeof minted === 'number') {
      this.recent.push(minted);
      if (this.recent.length > 16) this.recent.shift();
    }
    return minted;
  }
}

/** A valid params object per method: the starting point of mutations. */
function baseParams(method: string, t: FuzzTargets, pickId: string): Record<string, unknown> {
  const threadId = pickId;
  switch (method) {
    case 'initialize':
      return { clientInfo: { name: 'fuzz', title: null, version: '1.0.0' } };
    case 'thread/start':
    case 'thread/list':
    case 'thread/loaded/list':
    case 'model/list':
      return {};
    case 'thread/name/set':
      return { threadId, name: 'fuzzed name' };
    case 'turn/start':
      return { threadId, input: [{ type: 'text', text: 'fuzz says hi', text_elements: [] }] };
    case 'turn/interrupt':
      return { threadId, turnId: t.turnIds[0] ?? '01a20000-0000-7000-8000-000000000000' };
    default:
      return { threadId };
  }
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '/etc/passwd',
  '/',
  'a\u0000b',
  '\u0000',
  'urn:uuid:',
  '{}',
  'null',
  '\\\\?\\C:\\',
  'CON',
  '\u202e\u200b\ufeff',
  '\ud800',
  'x'.repeat(300),
  '2025-01-01T00:00:00Z|../../x',
  '9999-99-99T99:99:99Z|01a20000-0000-7000-8000-000000000000',
];

/** Values of every JSON type, biased to the ones decoders trip on. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2 ** 32, 2 ** 53 + 2, -(2 ** 63), 1e308, -0, [], {}, [null], { a: 1 }, [1, 2], '') },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
  { weight: 1, arbitrary: fc.uuid() },
);

/** Request ids of every JSON type (only strings and numbers make a request). */
const anyId: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 2 ** 31 }) },
  { weight: 3, arbitrary: fc.string({ maxLength: 16 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, -0, 0.5, 1e21, 2 ** 53, -(2 ** 60), '', '0', ' ', 'é😀', null, true, false, [], [1], {}, { id: 1 }) },
  { weight: 1, arbitrary: fc.double() },
);

const methodName: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...IMPLEMENTED.keys()) },
  { weight: 1, arbitrary: fc.constantFrom('foo/bar', 'thread/turns/list', '', 'THREAD/START', 'thread/start ', '$/cancelRequest', '$/setTrace', 'constructor', '__proto__', 'toString') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

type Obj = Record<string, unknown>;

/** One mutation of a params object: a wrong-typed field, a missing field, extra fields. */
function mutatedParams(method: string, t: FuzzTargets): fc.Arbitrary<unknown> {
  const fields = [...(IMPLEMENTED.get(method) ?? []), 'threadId', 'cwd', 'path', 'cursor', 'name', 'input'];
  const idPool = [...t.threadIds, ...t.threadIds, '01a20000-0000-7000-8000-000000000000', 'not-a-uuid', '../x', ''];
  return fc
    .record({
      id: fc.constantFrom(...idPool),
      edits: fc.array(fc.tuple(fc.constantFrom(...fields), anyValue, fc.nat(9)), { minLength: 0, maxLength: 4 }),
      extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 3 }), { nil: undefined }),
      whole: fc.nat(99),
      wholeValue: anyValue,
    })
    .map(({ id, edits, extra, whole, wholeValue }) => {
      // Sometimes params are not an object at all (array, string, null) or absent.
      if (whole < 8) return wholeValue;
      if (whole < 11) return undefined;
      const params: Obj = { ...baseParams(method, t, id) };
      for (const [field, value, how] of edits) {
        if (how === 0) delete params[field];
        else if (how === 1 && method === 'turn/start') params['input'] = [{ type: value, text: 'x' }];
        else if (how === 2 && method === 'turn/start') params['input'] = [{ type: 'text', text: value }];
        else params[field] = value;
      }
      return extra ? { ...params, ...extra } : params;
    });
}

/** A message object shaped like a request, with its id and method possibly of the wrong type. */
const requestLike = (t: FuzzTargets, ids: IdMinter): fc.Arbitrary<Obj> =>
  fc
    .record({ method: methodName, id: anyId, idKind: fc.nat(19), jsonrpc: fc.nat(9), seed: fc.nat() })
    .chain(({ method, id, idKind, jsonrpc }) =>
      mutatedParams(method, t).map((params) => {
        const m: Obj = {};
        if (jsonrpc === 0) m['jsonrpc'] = '2.0';
        if (jsonrpc === 1) m['jsonrpc'] = 1;
        if (idKind > 0) m['id'] = ids.mint(id); // idKind 0: a notification
        m['method'] = idKind === 1 ? 42 : method;
        if (params !== undefined) m['params'] = params;
        return m;
      }),
    );

/** A message that is not a request: a response to nothing, a client notification, a cancel. */
const nonRequest: fc.Arbitrary<Obj> = fc.oneof(
  fc.record({ id: anyId, result: anyValue }),
  fc.record({ id: anyId, error: fc.record({ code: fc.integer(), message: fc.string() }) }),
  fc.record({ method: fc.constantFrom('initialized', 'foo/notify', '$/cancelRequest', '$/progress'), params: fc.record({ id: anyId }) }),
  fc.record({ id: anyId }),
  fc.constant({}),
);

export type LineKind =
  | 'request'
  | 'non-request'
  | 'not-object'
  | 'malformed'
  | 'invalid-utf8'
  | 'huge'
  | 'deep'
  | 'framing';

/** One generated stdin chunk (a line with its terminator, or a framing oddity). */
export interface FuzzLine {
  kind: LineKind;
  bytes: Buffer;
}

const enc = (v: unknown): string => JSON.stringify(v) ?? 'null';
const line = (kind: LineKind, text: string | Buffer, eol = '\n'): FuzzLine => ({
  kind,
  bytes: Buffer.concat([typeof text === 'string' ? Buffer.from(text, 'utf8') : text, Buffer.from(eol)]),
});

/** Bytes that are never valid UTF-8 (stray continuation, overlong, surrogate, truncated, 0xff). */
const BAD_UTF8 = [[0xff], [0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe, 0xfe]];

/** Generator of one fuzz line. `hugeBytes` bounds huge strings (the oversized line is added by the test). */
export function fuzzLine(t: FuzzTargets, opts: { hugeBytes: number; maxDepth: number; ids: IdMinter }): fc.Arbitrary<FuzzLine> {
  const req = requestLike(t, opts.ids);
  return fc.oneof(
    { weight: 45, arbitrary: req.map((m) => line('request', enc(m))) },
    { weight: 6, arbitrary: nonRequest.map((m) => line('non-request', enc(m))) },
    { weight: 7, arbitrary: fc.jsonValue({ maxDepth: 3 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => line('not-object', enc(v))) },
    {
      weight: 10,
      arbitrary: fc.oneof(
        // A request cut short, so it never parses (and a later line may look like its tail).
        fc.tuple(req, fc.nat()).map(([m, cut]) => {
          const text = enc(m);
          return line('malformed', text.slice(0, Math.max(1, cut % text.length)));
        }),
        fc.string({ maxLength: 40 }).map((s) => line('malformed', `{${s}`)),
        fc.constantFrom('{', '}', '{"id":1,"method":"thread/list","params":{}', "{'id':1}", '{"id":1,}', 'NaN', '{"id":01,"method":"model/list","params":{}}', '\u0000').map((s) => line('malformed', s)),
      ),
    },
    {
      weight: 7,
      arbitrary: fc.tuple(req, fc.nat(), fc.constantFrom(...BAD_UTF8)).map(([m, at, bad]) => {
        const b = Buffer.from(enc(m), 'utf8');
        const pos = at % (b.length + 1);
        return line('invalid-utf8', Buffer.concat([b.subarray(0, pos), Buffer.from(bad), b.subarray(pos)]));
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(req, fc.integer({ min: 1024, max: opts.hugeBytes }), fc.constantFrom('a', 'é', '😀', '\\"', ' ')).map(([m, size, unit]) => {
        const placeholder = '__HUGE__';
        const params = typeof m['params'] === 'object' && m['params'] !== null && !Array.isArray(m['params']) ? (m['params'] as Obj) : {};
        const withHuge = { ...m, params: { ...params, [['name', 'cwd', 'threadId', 'cursor', 'searchTerm', 'model'][size % 6]!]: placeholder } };
        const text = enc(withHuge).replace(`"${placeholder}"`, `"${unit.repeat(Math.ceil(size / Buffer.byteLength(unit)))}"`);
        return line('huge', text);
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(req, fc.oneof(fc.integer({ min: 120, max: 135 }), fc.integer({ min: 10, max: opts.maxDepth })), fc.constantFrom('[', '{"a":'), fc.nat(5)).map(([m, depth, open, where]) => {
        const placeholder = '__DEEP__';
        const close = open === '[' ? ']' : '}';
        const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
        const params = typeof m['params'] === 'object' && m['params'] !== null && !Array.isArray(m['params']) ? (m['params'] as Obj) : {};
        const field = ['config', 'outputSchema', 'input', 'threadId', 'clientInfo', 'toolOutput'][where]!;
        const text = enc({ ...m, params: { ...params, [field]: placeholder } }).replace(`"${placeholder}"`, nested);
        return line('deep', where === 5 ? nested : text);
      }),
    },
    {
      weight: 5,
      arbitrary: fc.oneof(
        req.map((m) => line('framing', enc(m), '\r\n')),
        req.map((m) => line('framing', `\ufeff${enc(m)}`)),
        req.map((m) => line('framing', `  ${enc(m)}\t `)),
        fc.constantFrom('', '\r', ' ', '\t').map((s) => line('framing', s)),
      ),
    },
  );
}

/** Lines past this many bytes are discarded by the server (README: 16 MiB), so they are never requests. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** serde_json's recursion limit: a line nested 128 levels deep is not JSON to the reference. */
export const MAX_NESTING = 127;

/** Nesting depth of a parsed JSON value (iterative: values can be far deeper than the JS stack). */
export function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    max = Math.max(max, d + 1);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Key of an id for counting answers: type and value (`1` and `"1"` differ). */
export function idKey(id: unknown): string {
  return `${typeof id}:${JSON.stringify(id)}`;
}

/**
 * The oracle: splits a byte stream the way the protocol frames it and counts the requests per id — lines
 * that decode as UTF-8, parse as a JSON object, and carry a string `method` and a string or number `id`.
 */
export function expectedAnswers(stream: Buffer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { key } of expectedRequests(stream)) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** The requests of a stream, in order, with their id keys and text. */
export function expectedRequests(stream: Buffer): { key: string; text: string }[] {
  const out: { key: string; text: string }[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  while (start < stream.length) {
    let nl = stream.indexOf(0x0a, start);
    if (nl === -1) nl = stream.length;
    let end = nl;
    if (end - start > MAX_LINE_BYTES) {
      start = nl + 1;
      continue;
    }
    if (end > start && stream[end - 1] === 0x0d) end -= 1;
    const slice = stream.subarray(start, end);
    start = nl + 1;
    let value: unknown;
    let text = '';
    try {
      text = decoder.decode(slice);
      value = JSON.parse(text);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    if (nestingDepth(value) > MAX_NESTING) continue;
    const m = value as Obj;
    if (typeof m['method'] !== 'string') continue;
    if (typeof m['id'] !== 'string' && typeof m['id'] !== 'number') continue;
    out.push({ key: idKey(m['id']), text });
  }
  return out;
}
