/**
 * Edges of NdjsonMessageWriter the behaviour tests leave open (found by mutation testing, issue 17): a stream that
 * closes or throws synchronously, a destroyed stream during back-pressure, end() without ending the stream, the
 * error count passed to onError, the log texts, and dispose detaching its listeners.
 */
import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { Message } from 'vscode-jsonrpc';
import { NdjsonMessageWriter } from '../../../src/transport/ndjson-writer.js';
import { captureLogger, tick } from './helpers.js';

const clock = { nowMs: () => 1_000 };
const msg = (id: number) => ({ jsonrpc: '2.0', id, result: {} }) as unknown as Message;

function recording(opts: { highWaterMark?: number; hold?: boolean } = {}) {
  const chunks: string[] = [];
  const callbacks: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark: opts.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      if (opts.hold) callbacks.push(() => cb());
      else cb();
    },
  });
  return { stream, chunks, release: () => callbacks.splice(0).forEach((cb) => cb()) };
}

describe('stream failures', () => {
  test('a stream that closes by itself fails the writer with "output stream closed" and fires onClose', async () => {
    const s = recording();
    const { logger, lines } = captureLogger();
    const writer = new NdjsonMessageWriter(s.stream, { clock, logger });
    const errors: [Error, Message | undefined, number | undefined][] = [];
    let closes = 0;
    writer.onError((e) => errors.push(e));
    writer.onClose(() => (closes += 1));
    s.stream.destroy();
    await tick();
    expect(writer.failed?.message).toBe('output stream closed');
    expect(errors).toHaveLength(1);
    expect(errors[0]![0].message).toBe('output stream closed');
    expect(errors[0]![2]).toBe(1);
    expect(closes).toBe(1);
    await writer.write(msg(1));
    expect(s.chunks).toEqual([]);
    const logged = lines().filter((l) => l['level'] === 50);
    expect(logged.map((l) => l['msg'])).toEqual(['writing to the output stream failed; further output is dropped']);
  });

  test('closing after end() is not a failure, and a second error is not reported again', async () => {
    const s = recording();
    const writer = new NdjsonMessageWriter(s.stream, { clock });
    const errors: unknown[] = [];
    writer.onError((e) => errors.push(e));
    writer.end();
    s.stream.destroy();
    await tick();
    expect(writer.failed).toBeNull();
    expect(errors).toEqual([]);
  });

  test('a write that throws synchronously fails the writer once and resolves', async () => {
    const stream = new Writable({ write: (_c, _e, cb) => cb() });
    stream.write = () => {
      throw new Error('sync boom');
    };
    const writer = new NdjsonMessageWriter(stream, { clock });
    const errors: Error[] = [];
    writer.onError(([e]) => errors.push(e));
    await writer.write(msg(1));
    await writer.write(msg(2));
    expect(errors.map((e) => e.message)).toEqual(['sync boom']);
    expect(writer.failed?.message).toBe('sync boom');
  });

  test('a non-Error thrown by the stream becomes an Error with its text', async () => {
    const stream = new Writable({ write: (_c, _e, cb) => cb() });
    stream.write = () => {
      throw 'plain text';
    };
    const writer = new NdjsonMessageWriter(stream, { clock });
    await writer.write(msg(1));
    expect(writer.failed).toBeInstanceOf(Error);
    expect(writer.failed?.message).toBe('plain text');
  });

  test('a stream destroyed while the writer waits for drain releases every pending write', async () => {
    const s = recording({ highWaterMark: 1, hold: true });
    const writer = new NdjsonMessageWriter(s.stream, { clock });
    writer.onError(() => {});
    const writes = [writer.write(msg(1)), writer.write(msg(2)), writer.write(msg(3))];
    await tick();
    expect(s.chunks).toHaveLength(1); // back-pressure: only the first line was handed over
    s.stream.destroy();
    await Promise.all(writes);
    await writer.flush();
    expect(s.chunks).toHaveLength(1);
  });

  test('a stream error while waiting for drain also releases the queue', async () => {
    const s = recording({ highWaterMark: 1, hold: true });
    const writer = new NdjsonMessageWriter(s.stream, { clock });
    const errors: Error[] = [];
    writer.onError(([e]) => errors.push(e));
    const writes = [writer.write(msg(1)), writer.write(msg(2))];
    await tick();
    s.stream.emit('error', new Error('EIO'));
    await Promise.all(writes);
    expect(errors.map((e) => e.message)).toEqual(['EIO']);
    expect(s.chunks).toHaveLength(1);
  });
});

describe('end and dispose', () => {
  test('end() without endStreamOnEnd leaves the stream open; end() twice is harmless', async () => {
    const s = recording();
    const writer = new NdjsonMessageWriter(s.stream, { clock });
    await writer.write(msg(1));
    writer.end();
    writer.end();
    await writer.flush();
    await tick();
    expect(s.stream.writableEnded).toBe(false);
    expect(s.chunks).toEqual(['{"id":1,"result":{}}\n']);
  });

  test('endStreamOnEnd does not end a stream that has failed', async () => {
    const s = recording();
    const writer = new NdjsonMessageWriter(s.stream, { clock, endStreamOnEnd: true });
    writer.onError(() => {});
    s.stream.emit('error', new Error('EPIPE'));
    let ended = false;
    const realEnd = s.stream.end.bind(s.stream);
    s.stream.end = ((...args: unknown[]) => {
      ended = true;
      return realEnd(...(args as []));
    }) as typeof s.stream.end;
    writer.end();
    await writer.flush();
    await tick();
    expect(ended).toBe(false);
  });

  test('dispose detaches the error and close listeners it added', () => {
    const s = recording();
    const before = { error: s.stream.listenerCount('error'), close: s.stream.listenerCount('close') };
    const writer = new NdjsonMessageWriter(s.stream, { clock });
    expect(s.stream.listenerCount('error')).toBe(before.error + 1);
    expect(s.stream.listenerCount('close')).toBe(before.close + 1);
    writer.dispose();
    expect(s.stream.listenerCount('error')).toBe(before.error);
    expect(s.stream.listenerCount('close')).toBe(before.close);
  });

  test('the drain wait removes its listeners once drained', async () => {
    const s = recording({ highWaterMark: 1, hold: true });
    const writer = new NdjsonMessageWriter(s.stream, { clock });
    const base = s.stream.listenerCount('drain');
    const w = writer.write(msg(1));
    void writer.write(msg(2));
    await tick();
    expect(s.stream.listenerCount('drain')).toBe(base + 1);
    s.release();
    await w;
    await tick();
    s.release();
    await writer.flush();
    expect(s.stream.listenerCount('drain')).toBe(base);
    expect(s.chunks).toHaveLength(2);
  });
});
