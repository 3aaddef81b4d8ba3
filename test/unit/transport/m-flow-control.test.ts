/**
 * Input flow control (issue 18): the line splitter stops between two lines and resumes without losing or
 * reordering anything; the NDJSON reader stops reading its stream while its gate is closed; a connection with
 * `InputFlowControl` never has more than its bound of requests in flight, and a client that never reads its
 * output makes the server stop reading (its unread requests stay in the client's stream), then everything is
 * answered, in order, once the client reads.
 */
import { PassThrough, Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { createMessageConnection, type Message } from 'vscode-jsonrpc/node';
import { silentLogger } from '../../../src/support/logger.js';
import { DrainOnCloseReader, InputFlowControl, LineSplitter, NdjsonMessageReader, NdjsonMessageWriter, type FlowLimits } from '../../../src/transport/index.js';
import { tick } from './helpers.js';

const quietRpcLogger = { error: () => {}, warn: () => {}, info: () => {}, log: () => {} };

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('the splitter stops before a line when told to, holds the rest, and resumes in order (end of input waits)', () => {
  const lines: string[] = [];
  let budget = 2;
  const splitter = new LineSplitter({
    maxLineBytes: 100,
    onLine: (line) => {
      lines.push(line.toString('utf8'));
      budget -= 1;
    },
    onOversized: () => lines.push('<oversized>'),
    shouldStop: () => budget <= 0,
  });
  splitter.push(Buffer.from('a\nb\nc\nd'));
  expect(lines).toEqual(['a', 'b']);
  expect(splitter.isStopped).toBe(true);
  expect(splitter.heldInputBytes).toBe(3);
  splitter.push(Buffer.from('e\nf\n'));
  splitter.end();
  expect(lines).toEqual(['a', 'b']);
  expect(splitter.heldInputBytes).toBe(7);

  budget = 1;
  expect(splitter.resume()).toBe(false);
  expect(lines).toEqual(['a', 'b', 'c']);
  budget = 100;
  expect(splitter.resume()).toBe(true);
  // The held `d` joins `e` (they are one line once the chunks meet), and the unterminated end is still delivered.
  expect(lines).toEqual(['a', 'b', 'c', 'de', 'f']);
  expect(splitter.isStopped).toBe(false);
  expect(splitter.heldInputBytes).toBe(0);
});

test('without shouldStop the splitter never stops', () => {
  const lines: string[] = [];
  const splitter = new LineSplitter({ maxLineBytes: 10, onLine: (l) => lines.push(l.toString()), onOversized: () => {} });
  splitter.push(Buffer.from('1\n2\n3\n'));
  expect(lines).toEqual(['1', '2', '3']);
  expect(splitter.isStopped).toBe(false);
  expect(splitter.resume()).toBe(true);
});

test('a reader with a closed gate stops reading its stream; resuming delivers everything in order, then the end', async () => {
  const stdin = new PassThrough();
  const reader = new NdjsonMessageReader(stdin, { logger: silentLogger() });
  let allowed = 3;
  reader.setInputGate({ open: () => allowed > 0 });
  const seen: number[] = [];
  let closed = false;
  reader.onClose(() => (closed = true));
  reader.listen((m) => {
    seen.push((m as unknown as { id: number }).id);
    allowed -= 1;
  });
  const total = 2000;
  const text = Array.from({ length: total }, (_, i) => `{"id":${i},"method":"m"}\n`).join('');
  stdin.end(text);
  await until(() => reader.inputPaused, 'the reader to pause');
  await tick();
  expect(seen).toEqual([0, 1, 2]);
  // What the reader has not taken stays in the stream: it stopped reading.
  expect(stdin.isPaused()).toBe(true);
  expect(closed).toBe(false);

  allowed = 10;
  reader.resumeInput();
  expect(seen).toHaveLength(13);
  allowed = Infinity;
  reader.resumeInput();
  await until(() => closed, 'end of input');
  expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
});

/** A connection as ClientConnection builds it, with small bounds, and an output the test lets through or not. */
function flowServer(limits: Partial<FlowLimits>, handle: (params: unknown) => unknown) {
  const stdin = new PassThrough();
  let reading = false;
  const waiting: (() => void)[] = [];
  const out: string[] = [];
  const stdout = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString('utf8'));
      if (reading) cb();
      else waiting.push(cb);
    },
  });
  const reader = new NdjsonMessageReader(stdin, { logger: silentLogger() });
  const writer = new NdjsonMessageWriter(stdout, { clock: { nowMs: () => 0 } });
  const flow = new InputFlowControl(reader, writer, limits);
  const draining = new DrainOnCloseReader(flow);
  const rpc = createMessageConnection(draining, writer, quietRpcLogger, { messageStrategy: flow });
  let inFlight = 0;
  let maxInFlight = 0;
  let handled = 0;
  rpc.onRequest((_method, params) => {
    inFlight += 1;
    handled += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const answer = (async () => {
      try {
        return await handle(params);
      } finally {
        inFlight -= 1;
      }
    })();
    // As ClientConnection does: DrainOnCloseReader hears of every dispatch.
    draining.requestDispatched();
    return answer;
  });
  rpc.listen();
  const answers = (): Message[] =>
    out
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Message);
  return {
    stdin,
    reader,
    writer,
    flow,
    draining,
    answers,
    handled: () => handled,
    maxInFlight: () => maxInFlight,
    startReading: () => {
      reading = true;
      for (const cb of waiting.splice(0)) cb();
    },
  };
}

test('requests in flight never exceed the bound, and every request is answered in order', async () => {
  const releases: (() => void)[] = [];
  const s = flowServer({ maxPendingRequests: 8, maxUnwrittenBytes: 1 << 20 }, () => new Promise((resolve) => releases.push(() => resolve({ ok: true }))));
  s.startReading();
  const total = 300;
  s.stdin.write(Array.from({ length: total }, (_, i) => `{"id":${i},"method":"slow"}\n`).join(''));
  await until(() => releases.length === 8, 'eight requests in flight');
  await tick();
  await tick();
  expect(s.handled()).toBe(8);
  expect(s.flow.pending).toBe(8);
  expect(s.reader.inputPaused).toBe(true);
  // Release one at a time, answering the oldest first, until all are done.
  while (s.answers().length < total) {
    const next = releases.shift();
    if (next) next();
    await tick();
  }
  expect(s.maxInFlight()).toBeLessThanOrEqual(8);
  expect(s.answers().map((a) => (a as unknown as { id: number }).id)).toEqual(Array.from({ length: total }, (_, i) => i));
  expect(s.flow.pending).toBe(0);
});

test('a client that never reads its output makes the reader stop; its requests wait in its own stream, none is lost', async () => {
  const padding = 'x'.repeat(200);
  const s = flowServer({ maxPendingRequests: 64, maxUnwrittenBytes: 16 * 1024 }, (params) => ({ echo: params }));
  const total = 2000;
  // One line per write, as a pipe hands over at most what fits in it.
  for (let i = 0; i < total; i += 1) s.stdin.write(`{"id":${i},"method":"echo","params":{"p":"${padding}"}}\n`);
  await until(() => s.reader.inputPaused && (s.handled() >= 64 || s.writer.backlogBytes >= 16 * 1024), 'a bound to stop input');
  for (let i = 0; i < 10; i += 1) await tick();
  expect(s.flow.gateClosed).toBe(true);
  // A request stays pending until its answer is written, so what was handled is bounded by the two bounds
  // (plus the one line read before the gate was asked again), not by what the client sent.
  const answerBytes = Buffer.byteLength(`{"id":1234,"result":{"echo":{"p":"${padding}"}}}\n`);
  const handledWhileBlocked = s.handled();
  expect(handledWhileBlocked).toBeLessThanOrEqual(Math.max(64, Math.ceil((16 * 1024) / (answerBytes - 4))) + 1);
  expect(s.writer.backlogBytes).toBeGreaterThan(0);
  expect(handledWhileBlocked).toBeLessThan(total);
  // The rest is still in the client's stream, unread.
  expect(s.stdin.readableLength).toBeGreaterThan(0);
  await tick();
  expect(s.handled()).toBe(handledWhileBlocked);

  s.startReading();
  await until(() => s.answers().length === total, 'every answer');
  expect(s.answers().map((a) => (a as unknown as { id: number }).id)).toEqual(Array.from({ length: total }, (_, i) => i));
  expect(s.writer.backlogBytes).toBe(0);
});

test('pending messages are also bounded by the bytes of their lines: big requests are admitted a few at a time', async () => {
  const releases: (() => void)[] = [];
  let maxPendingBytes = 0;
  const s = flowServer({ maxPendingRequests: 1000, maxPendingInputBytes: 64 * 1024 }, () => {
    maxPendingBytes = Math.max(maxPendingBytes, s.flow.pendingInputBytes);
    return new Promise((resolve) => releases.push(() => resolve({})));
  });
  s.startReading();
  const big = 'é'.repeat(10_000);
  const total = 40;
  for (let i = 0; i < total; i += 1) s.stdin.write(`{"id":${i},"method":"big","params":{"text":"${big}"}}\n`);
  const lineBytes = Buffer.byteLength(`{"id":10,"method":"big","params":{"text":"${big}"}}`);
  await until(() => s.reader.inputPaused && releases.length > 0 && releases.length === s.handled(), 'the byte bound to stop input');
  for (let i = 0; i < 10; i += 1) await tick();
  // Requests are admitted while less than the bound is pending: at most the bound plus one line.
  expect(s.handled()).toBe(Math.ceil((64 * 1024) / lineBytes));
  while (s.answers().length < total) {
    releases.shift()?.();
    await tick();
  }
  expect(maxPendingBytes).toBeLessThan(64 * 1024 + lineBytes);
  expect(s.answers().map((a) => (a as unknown as { id: number }).id)).toEqual(Array.from({ length: total }, (_, i) => i));
  expect(s.flow.pendingInputBytes).toBe(0);
});

test('notifications and malformed messages count too, and are released as vscode-jsonrpc takes them off its queue', async () => {
  const s = flowServer({ maxPendingRequests: 4, maxUnwrittenBytes: 1 << 20 }, () => ({}));
  s.startReading();
  const lines: string[] = [];
  for (let i = 0; i < 200; i += 1) {
    lines.push(`{"method":"note/${i}"}`, `{"id":{"bad":${i}},"method":"m"}`, `{"id":${i},"result":{}}`, `{"id":7,"result":{}}`, `{"method":"$/cancelRequest","params":{"id":${i}}}`);
  }
  lines.push('{"id":"last","method":"m"}');
  s.stdin.write(`${lines.join('\n')}\n`);
  await until(() => s.answers().some((a) => (a as { id?: unknown }).id === 'last'), 'the last request to be answered');
  await tick();
  expect(s.flow.pending).toBe(0);
  expect(s.flow.pendingInputBytes).toBe(0);
  expect(s.reader.inputPaused).toBe(false);
});

test('readers and writers without flow-control capabilities are passed through and never paused', async () => {
  const stdin = new PassThrough();
  const reader = new NdjsonMessageReader(stdin, { logger: silentLogger() });
  const plainReader = {
    onError: reader.onError,
    onClose: reader.onClose,
    onPartialMessage: reader.onPartialMessage,
    listen: reader.listen.bind(reader),
    dispose: () => reader.dispose(),
  };
  const flow = new InputFlowControl(plainReader, {}, { maxPendingRequests: 1, maxUnwrittenBytes: 1 });
  const seen: unknown[] = [];
  flow.listen((m) => seen.push((m as unknown as { id: unknown }).id));
  stdin.write('{"id":1,"method":"a"}\n{"id":2,"method":"b"}\n{"id":3,"method":"c"}\n');
  await until(() => seen.length === 3, 'three messages');
  expect(flow.pending).toBe(3);
  expect(reader.inputPaused).toBe(false);
});
