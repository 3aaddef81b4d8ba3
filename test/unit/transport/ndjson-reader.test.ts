import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { Message } from 'vscode-jsonrpc';
import { DEFAULT_MAX_LINE_BYTES, NdjsonMessageReader, type DropEvent } from '../../../src/transport/index.js';
import { captureLogger, tick } from './helpers.js';

function setup(maxLineBytes?: number) {
  const input = new PassThrough();
  const { logger, lines: logLines } = captureLogger();
  const drops: DropEvent[] = [];
  const reader = new NdjsonMessageReader(input, { logger, maxLineBytes, onDrop: (e) => drops.push(e) });
  const messages: Message[] = [];
  let closed = 0;
  reader.onClose(() => (closed += 1));
  reader.listen((m) => messages.push(m));
  /** Writes each chunk separately and lets the stream deliver it before the next one. */
  const feed = async (...chunks: (string | Buffer)[]) => {
    for (const chunk of chunks) {
      input.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      await tick();
    }
  };
  return { input, reader, messages, drops, logLines, feed, closed: () => closed };
}

describe('NdjsonMessageReader', () => {
  test('exports a 16 MiB default bound', () => {
    expect(DEFAULT_MAX_LINE_BYTES).toBe(16 * 1024 * 1024);
  });

  test('reassembles a message split across several chunks', async () => {
    const r = setup();
    await r.feed('{"id":1,"me', 'thod":"initialize","par', 'ams":{}}', '\n');
    expect(r.messages).toEqual([{ id: 1, method: 'initialize', params: {} }]);
  });

  test('delivers several messages from one chunk, in order', async () => {
    const r = setup();
    await r.feed('{"id":1,"method":"a","params":{}}\n{"method":"b"}\n{"id":"x","result":{}}\n{"id":2,');
    expect(r.messages).toEqual([{ id: 1, method: 'a', params: {} }, { method: 'b' }, { id: 'x', result: {} }]);
    await r.feed('"method":"c","params":{}}\n');
    expect(r.messages.at(-1)).toEqual({ id: 2, method: 'c', params: {} });
  });

  test('accepts CRLF line endings and skips blank lines', async () => {
    const r = setup();
    await r.feed('{"id":1,"method":"a","params":{}}\r\n\r\n\n   \n{"id":2,"method":"b","params":{}}\r', '\n');
    expect(r.messages).toEqual([
      { id: 1, method: 'a', params: {} },
      { id: 2, method: 'b', params: {} },
    ]);
    expect(r.drops).toEqual([]);
  });

  test('decodes multi-byte UTF-8 split between chunks ("é" and an emoji)', async () => {
    const r = setup();
    const line = Buffer.from('{"method":"n","params":{"text":"café 😀 ok"}}\n', 'utf8');
    const e = line.indexOf(Buffer.from('é', 'utf8'));
    const emoji = line.indexOf(Buffer.from('😀', 'utf8'));
    // Cut inside "é" (2 bytes) and twice inside the 4-byte emoji.
    await r.feed(line.subarray(0, e + 1), line.subarray(e + 1, emoji + 1), line.subarray(emoji + 1, emoji + 3), line.subarray(emoji + 3));
    expect(r.messages).toEqual([{ method: 'n', params: { text: 'café 😀 ok' } }]);
  });

  test('drops malformed and non-object lines, logs them, and keeps reading', async () => {
    const r = setup();
    await r.feed('not json\n[1,2,3]\n42\n"x"\nnull\n{"id":1,"method":"a","params":{}}\n');
    expect(r.messages).toEqual([{ id: 1, method: 'a', params: {} }]);
    expect(r.drops.map((d) => d.reason)).toEqual(['invalid-json', 'not-object', 'not-object', 'not-object', 'not-object']);
    expect(r.drops.at(-1)?.totals).toEqual({ oversized: 0, malformed: 5 });
    const warnings = r.logLines().filter((l) => l.level === 40);
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toMatchObject({ reason: 'invalid-json', bytes: 8 });
  });

  test('drops a line that is not valid UTF-8', async () => {
    const r = setup();
    await r.feed(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d, 0x0a]), '{"method":"ok"}\n');
    expect(r.drops.map((d) => d.reason)).toEqual(['invalid-utf8']);
    expect(r.messages).toEqual([{ method: 'ok' }]);
  });

  test('discards an oversized line as it streams in, holding at most the bound', async () => {
    const bound = 1024 * 1024;
    const r = setup(bound);
    await r.feed('{"method":"before"}\n');
    const chunk = Buffer.alloc(bound, 0x61); // 1 MiB of "a"
    let maxHeld = 0;
    for (let i = 0; i < 64; i += 1) {
      await r.feed(chunk);
      maxHeld = Math.max(maxHeld, r.reader.bufferedBytes);
    }
    expect(maxHeld).toBeLessThanOrEqual(bound);
    expect(r.drops).toEqual([]); // not reported until its newline arrives
    await r.feed('tail\n{"id":7,"method":"after","params":{}}\n');
    expect(r.reader.bufferedBytes).toBe(0);
    expect(r.drops).toEqual([{ reason: 'oversized', bytes: 64 * bound + 4, totals: { oversized: 1, malformed: 0 } }]);
    expect(r.messages).toEqual([{ method: 'before' }, { id: 7, method: 'after', params: {} }]);
    expect(r.logLines().some((l) => l.reason === 'oversized')).toBe(true);
  });

  test('a line of exactly the bound is kept; one byte more is dropped', async () => {
    const line = '{"method":"m","params":{"p":"' + 'x'.repeat(20) + '"}}';
    const r = setup(Buffer.byteLength(line));
    await r.feed(`${line}\n`, `${line} \n`);
    expect(r.messages).toHaveLength(1);
    expect(r.drops.map((d) => d.reason)).toEqual(['oversized']);
  });

  test('delivers a final unterminated line and fires close once at end of input', async () => {
    const r = setup();
    await r.feed('{"id":1,"method":"a","params":{}}\n{"method":"last"}');
    expect(r.messages).toHaveLength(1);
    r.input.end();
    await tick();
    await tick();
    expect(r.messages).toEqual([{ id: 1, method: 'a', params: {} }, { method: 'last' }]);
    expect(r.closed()).toBe(1);
  });

  test('a throwing consumer is reported and does not stop the stream', async () => {
    const input = new PassThrough();
    const { logger } = captureLogger();
    const reader = new NdjsonMessageReader(input, { logger });
    const errors: Error[] = [];
    reader.onError((e) => errors.push(e));
    const seen: Message[] = [];
    reader.listen((m) => {
      seen.push(m);
      if (seen.length === 1) throw new Error('boom');
    });
    input.write('{"method":"a"}\n{"method":"b"}\n');
    await tick();
    expect(seen).toEqual([{ method: 'a' }, { method: 'b' }]);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
  });
});
