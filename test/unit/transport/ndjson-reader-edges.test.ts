/**
 * Edges of NdjsonMessageReader that the behaviour tests leave open (found by mutation testing, issue 17): the
 * nesting bound and the string/escape scanner behind it, listener clean-up, close/error once, and the texts it logs.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { Message } from 'vscode-jsonrpc';
import { MAX_NESTING_DEPTH, NdjsonMessageReader, type DropEvent } from '../../../src/transport/ndjson-reader.js';
import { captureLogger, tick } from './helpers.js';

function setup() {
  const input = new PassThrough();
  const { logger, lines } = captureLogger();
  const drops: DropEvent[] = [];
  const reader = new NdjsonMessageReader(input, { logger, onDrop: (e) => drops.push(e) });
  const messages: Message[] = [];
  const closes: number[] = [];
  const errors: Error[] = [];
  reader.onClose(() => closes.push(1));
  reader.onError((e) => errors.push(e));
  const listening = reader.listen((m) => messages.push(m));
  const feed = async (text: string | Buffer) => {
    input.write(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    await tick();
  };
  return { input, reader, messages, drops, lines, closes, errors, listening, feed };
}

/** A JSON object nested `depth` levels deep (objects and arrays alternating). */
function nested(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth - 1; i += 1) {
    open += i % 2 === 0 ? '{"a":' : '[';
    close = (i % 2 === 0 ? '}' : ']') + close;
  }
  return `{"method":"deep","params":${open}1${close}}`;
}

describe('nesting bound', () => {
  test(`a line nested exactly ${MAX_NESTING_DEPTH} levels is delivered; one level more is dropped as invalid JSON`, async () => {
    const r = setup();
    await r.feed(`${nested(MAX_NESTING_DEPTH - 1)}\n`);
    expect(r.messages).toHaveLength(1);
    await r.feed(`${nested(MAX_NESTING_DEPTH)}\n`);
    expect(r.messages).toHaveLength(2);
    await r.feed(`${nested(MAX_NESTING_DEPTH + 1)}\n`);
    expect(r.messages).toHaveLength(2);
    expect(r.drops.map((d) => d.reason)).toEqual(['invalid-json']);
  });

  test('brackets inside strings do not count, and an escaped quote does not end the string', async () => {
    const r = setup();
    const deepText = '['.repeat(500) + '{'.repeat(500);
    await r.feed(`${JSON.stringify({ method: 'text', params: { t: deepText } })}\n`);
    await r.feed(`${JSON.stringify({ method: 'esc', params: { t: `\\"${'['.repeat(300)}` } })}\n`);
    await r.feed(`${JSON.stringify({ method: 'bs', params: { t: `x\\` , u: '['.repeat(300) } })}\n`);
    expect(r.messages.map((m) => (m as unknown as { method: string }).method)).toEqual(['text', 'esc', 'bs']);
    expect(r.drops).toEqual([]);
  });

  test('closing brackets lower the depth: many shallow siblings are not deep', async () => {
    const r = setup();
    const siblings = Array.from({ length: 400 }, () => '[{}]').join(',');
    await r.feed(`{"method":"wide","params":{"a":[${siblings}]}}\n`);
    expect(r.messages).toHaveLength(1);
  });
});

describe('drops', () => {
  test('each reason is reported with its byte length and running totals, and logged with its text', async () => {
    const r = setup();
    await r.feed('nope\n');
    await r.feed('[]\n');
    expect(r.drops).toEqual([
      { reason: 'invalid-json', bytes: 4, totals: { oversized: 0, malformed: 1 } },
      { reason: 'not-object', bytes: 2, totals: { oversized: 0, malformed: 2 } },
    ]);
    expect(r.reader.dropTotals).toEqual({ oversized: 0, malformed: 2 });
    const warn = r.lines().filter((l) => l['level'] === 40);
    expect(warn.map((l) => l['msg'])).toEqual(['dropped incoming line (invalid-json, 4 bytes)', 'dropped incoming line (not-object, 2 bytes)']);
    expect(warn[1]).toMatchObject({ reason: 'not-object', bytes: 2 });
  });

  test('dropTotals is a copy: changing it changes nothing in the reader', async () => {
    const r = setup();
    await r.feed('x\n');
    const totals = r.reader.dropTotals as { malformed: number };
    totals.malformed = 99;
    expect(r.reader.dropTotals).toEqual({ oversized: 0, malformed: 1 });
    (r.drops[0]!.totals as { malformed: number }).malformed = 42;
    expect(r.reader.dropTotals).toEqual({ oversized: 0, malformed: 1 });
  });

  test('a string chunk (not a Buffer) is read as UTF-8', async () => {
    const r = setup();
    r.input.setEncoding('utf8');
    await r.feed('{"method":"é"}\n');
    expect(r.messages).toEqual([{ method: 'é' }]);
  });

  test('whitespace-only lines are skipped without a drop', async () => {
    const r = setup();
    await r.feed(' \t \n\n');
    expect(r.drops).toEqual([]);
    expect(r.messages).toEqual([]);
  });
});

describe('lifecycle', () => {
  test('listen twice throws', () => {
    const r = setup();
    expect(() => r.reader.listen(() => {})).toThrow('NdjsonMessageReader.listen may be called only once');
  });

  test('dispose of the listener stops delivery and detaches every stream listener', async () => {
    const r = setup();
    expect(r.input.listenerCount('data')).toBe(1);
    expect(r.input.listenerCount('end')).toBe(1);
    expect(r.input.listenerCount('close')).toBe(1);
    expect(r.input.listenerCount('error')).toBe(1);
    r.listening.dispose();
    expect(r.input.listenerCount('data')).toBe(0);
    expect(r.input.listenerCount('end')).toBe(0);
    expect(r.input.listenerCount('close')).toBe(0);
    expect(r.input.listenerCount('error')).toBe(0);
  });

  test('end then close fire onClose once; a stream error fires onError', async () => {
    const r = setup();
    r.input.emit('error', new Error('EIO'));
    expect(r.errors.map((e) => e.message)).toEqual(['EIO']);
    r.input.end();
    await tick();
    r.input.emit('close');
    await tick();
    expect(r.closes).toEqual([1]);
  });

  test('close without end (destroyed stream) fires onClose once', async () => {
    const r = setup();
    r.input.emit('close');
    r.input.emit('close');
    expect(r.closes).toEqual([1]);
  });

  test('a throwing consumer is logged at error level with its text', async () => {
    const input = new PassThrough();
    const { logger, lines } = captureLogger();
    const reader = new NdjsonMessageReader(input, { logger });
    reader.onError(() => {});
    reader.listen(() => {
      throw new Error('boom');
    });
    input.write('{"method":"a"}\n');
    await tick();
    await tick();
    const errors = lines().filter((l) => l['level'] === 50);
    expect(errors.map((l) => l['msg'])).toEqual(['message handler threw while processing an incoming line']);
  });
});
