import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { Message } from 'vscode-jsonrpc';
import { encodeMessage, NdjsonMessageWriter } from '../../../src/transport/index.js';
import { captureLogger, tick } from './helpers.js';

const clock = { nowMs: () => 1_795_487_495_175 };

/** A Writable that records what it is given; optionally slow, to exercise back-pressure. */
function sink(opts: { highWaterMark?: number; delayMs?: number } = {}) {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: opts.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      if (opts.delayMs === undefined) cb();
      else setTimeout(cb, opts.delayMs);
    },
  });
  return { stream, text: () => chunks.join('') };
}

const asMessage = (m: object) => m as unknown as Message;

describe('encodeMessage', () => {
  test('response: id then result, no jsonrpc', () => {
    expect(encodeMessage(asMessage({ jsonrpc: '2.0', result: { a: 1 }, id: 3 }), clock.nowMs)).toBe('{"id":3,"result":{"a":1}}');
    expect(encodeMessage(asMessage({ jsonrpc: '2.0', id: 'abc-1', result: undefined }), clock.nowMs)).toBe('{"id":"abc-1","result":null}');
  });

  test('error: error{code,message} then id; data, when there is some, between code and message', () => {
    const msg = asMessage({ jsonrpc: '2.0', id: 4, error: { message: 'Not initialized', code: -32600 } });
    expect(encodeMessage(msg, clock.nowMs)).toBe('{"error":{"code":-32600,"message":"Not initialized"},"id":4}');
    const withData = asMessage({ jsonrpc: '2.0', id: 5, error: { message: 'm', code: -32600, data: { config_write_error_code: 'configVersionConflict' } } });
    expect(encodeMessage(withData, clock.nowMs)).toBe('{"error":{"code":-32600,"data":{"config_write_error_code":"configVersionConflict"},"message":"m"},"id":5}');
  });

  test('notification: method, params, emittedAtMs from the clock', () => {
    const msg = asMessage({ jsonrpc: '2.0', params: { threadId: 't' }, method: 'thread/started' });
    expect(encodeMessage(msg, clock.nowMs)).toBe(
      '{"method":"thread/started","params":{"threadId":"t"},"emittedAtMs":1795487495175}',
    );
    expect(encodeMessage(asMessage({ jsonrpc: '2.0', method: 'x' }), clock.nowMs)).toBe('{"method":"x","emittedAtMs":1795487495175}');
    expect(encodeMessage(asMessage({ method: 'x', params: null, emittedAtMs: 5 }), clock.nowMs)).toBe('{"method":"x","params":null,"emittedAtMs":5}');
  });

  test('server request: method, id, params (the reference order, observed on item/commandExecution/requestApproval)', () => {
    const msg = asMessage({ jsonrpc: '2.0', params: { q: 1 }, method: 'item/tool/requestUserInput', id: 0 });
    expect(encodeMessage(msg, clock.nowMs)).toBe('{"method":"item/tool/requestUserInput","id":0,"params":{"q":1}}');
  });

  test('anything else is refused', () => {
    expect(() => encodeMessage(asMessage({ jsonrpc: '2.0' }), clock.nowMs)).toThrow(TypeError);
  });
});

describe('NdjsonMessageWriter', () => {
  test('writes one line per message in call order', async () => {
    const s = sink();
    const writer = new NdjsonMessageWriter(s.stream, { clock });
    await Promise.all([
      writer.write(asMessage({ jsonrpc: '2.0', id: 1, result: {} })),
      writer.write(asMessage({ jsonrpc: '2.0', method: 'n', params: {} })),
      writer.write(asMessage({ jsonrpc: '2.0', id: 2, error: { code: -32600, message: 'm' } })),
    ]);
    expect(s.text()).toBe(
      '{"id":1,"result":{}}\n{"method":"n","params":{},"emittedAtMs":1795487495175}\n{"error":{"code":-32600,"message":"m"},"id":2}\n',
    );
    expect(s.text()).not.toContain('jsonrpc');
  });

  test('respects back-pressure: never writes while the stream needs a drain, order kept', async () => {
    const s = sink({ highWaterMark: 64, delayMs: 1 });
    const calls: boolean[] = [];
    const accepted: boolean[] = [];
    const original = s.stream.write.bind(s.stream);
    s.stream.write = ((chunk: unknown, cb?: unknown) => {
      calls.push(s.stream.writableNeedDrain);
      const ok = (original as (c: unknown, cb?: unknown) => boolean)(chunk, cb);
      accepted.push(ok);
      return ok;
    }) as typeof s.stream.write;
    const writer = new NdjsonMessageWriter(s.stream, { clock });
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 50; i += 1) writes.push(writer.write(asMessage({ jsonrpc: '2.0', id: i, result: { i, pad: 'x'.repeat(40) } })));
    await writer.flush();
    expect(calls).toHaveLength(50);
    expect(accepted.filter((ok) => !ok).length).toBeGreaterThan(10); // back-pressure really happened
    expect(calls.every((needDrain) => !needDrain)).toBe(true);
    const ids = s.text().trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: number }).id);
    expect(ids).toEqual([...Array(50).keys()]);
    await Promise.all(writes);
  });

  test('flush resolves only after every line has been handed over', async () => {
    const s = sink({ delayMs: 5 });
    const writer = new NdjsonMessageWriter(s.stream, { clock });
    void writer.write(asMessage({ jsonrpc: '2.0', id: 1, result: {} }));
    void writer.write(asMessage({ jsonrpc: '2.0', id: 2, result: {} }));
    let flushed = false;
    const f = writer.flush().then(() => (flushed = true));
    await tick();
    expect(flushed).toBe(false);
    await f;
    expect(s.stream.writableLength).toBe(0);
    expect(s.text().split('\n')).toHaveLength(3);
  });

  test('EPIPE: error event fired once, pending and later writes resolve, nothing thrown', async () => {
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        const err = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        setImmediate(() => cb(err));
      },
    });
    const { logger, lines } = captureLogger();
    const writer = new NdjsonMessageWriter(stream, { clock, logger });
    const errors: Error[] = [];
    writer.onError(([e]) => errors.push(e));
    const results = await Promise.allSettled([
      writer.write(asMessage({ jsonrpc: '2.0', id: 1, result: {} })),
      writer.write(asMessage({ jsonrpc: '2.0', id: 2, result: {} })),
    ]);
    await writer.write(asMessage({ jsonrpc: '2.0', method: 'late' }));
    await writer.flush();
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(errors.map((e) => e.message)).toEqual(['write EPIPE']);
    expect(writer.failed?.message).toBe('write EPIPE');
    expect(lines().some((l) => l.level === 50)).toBe(true);
  });

  test('a message that cannot be encoded rejects and is logged, not reported as a stream failure', async () => {
    const s = sink();
    const { logger, lines } = captureLogger();
    const writer = new NdjsonMessageWriter(s.stream, { clock, logger });
    const errors: unknown[] = [];
    writer.onError((e) => errors.push(e));
    await expect(writer.write(asMessage({ jsonrpc: '2.0', id: 1, result: { n: 1n } }))).rejects.toThrow();
    await writer.write(asMessage({ jsonrpc: '2.0', id: 2, result: {} }));
    expect(errors).toEqual([]);
    expect(writer.failed).toBeNull();
    expect(lines().filter((l) => l.level === 50)).toHaveLength(1);
    expect(s.text()).toBe('{"id":2,"result":{}}\n');
  });

  test('end() lets queued lines out, drops later ones, optionally ends the stream', async () => {
    const s = sink({ delayMs: 1 });
    const writer = new NdjsonMessageWriter(s.stream, { clock, endStreamOnEnd: true });
    void writer.write(asMessage({ jsonrpc: '2.0', id: 1, result: {} }));
    writer.end();
    await writer.write(asMessage({ jsonrpc: '2.0', id: 2, result: {} }));
    await new Promise((resolve) => s.stream.on('finish', resolve));
    expect(s.text()).toBe('{"id":1,"result":{}}\n');
  });
});
