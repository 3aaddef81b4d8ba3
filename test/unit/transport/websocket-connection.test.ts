/** One WebSocket as a vscode-jsonrpc reader/writer pair (issue 16): framing, dropped frames, the send bound. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { Message } from 'vscode-jsonrpc';
import { attachWebSocket } from '../../../src/transport/websocket-connection.js';
import type { Logger } from '../../../src/support/logger.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (_obj: unknown, msg?: string) => void lines.push(msg ?? String(_obj));
  return { lines, trace: record, debug: record, info: record, warn: record, error: record, fatal: record, child: () => recordingLogger() } as unknown as Logger & { lines: string[] };
}

/** A server-side socket attached as a reader/writer pair, and the client talking to it. */
async function pair(maxQueuedSendBytes?: number) {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise((r) => http.close(r)), () => wss.close());
  const serverSide = new Promise<WebSocket>((r) => wss.once('connection', r));
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  cleanups.push(() => client.terminate());
  await new Promise((r) => client.once('open', r));
  const logger = recordingLogger();
  const socket = await serverSide;
  const { reader, writer } = attachWebSocket(socket, { clock: { nowMs: () => 42 }, logger, label: 'test', maxQueuedSendBytes });
  const received: Message[] = [];
  reader.listen((m) => received.push(m));
  return { client, socket, reader, writer, logger, received };
}

test('one text frame is one message; binary, non-JSON, non-object and multi-message frames are dropped and logged', async () => {
  const { client, received, logger } = await pair();
  client.send('not json');
  client.send(Buffer.from('{"id":1,"method":"a"}'), { binary: true });
  client.send('[1,2]');
  client.send('{"id":2,"method":"b"}\n{"id":3,"method":"c"}');
  client.send('{"id":4,"method":"d","params":{}}');
  await new Promise<void>((resolve) => {
    const check = () => (received.length > 0 ? resolve() : setImmediate(check));
    check();
  });
  expect(received).toEqual([{ id: 4, method: 'd', params: {} }]);
  expect(logger.lines.filter((l) => l.startsWith('dropped incoming websocket frame'))).toEqual([
    'dropped incoming websocket frame (not JSON)',
    'dropped incoming websocket frame (binary frame)',
    'dropped incoming websocket frame (not a JSON object)',
    'dropped incoming websocket frame (not JSON)',
  ]);
});

test('messages go out one text frame each, in the reference envelope; the reader closes with the socket', async () => {
  const { client, writer, reader } = await pair();
  const frames: string[] = [];
  client.on('message', (d, isBinary) => frames.push(`${isBinary ? 'bin' : 'txt'} ${d.toString()}`));
  await writer.write({ jsonrpc: '2.0', id: 1, result: { ok: true } } as Message);
  await writer.write({ jsonrpc: '2.0', method: 'n', params: { a: 1 } } as Message);
  const closed = new Promise<void>((r) => reader.onClose(() => r()));
  await new Promise<void>((resolve) => {
    const check = () => (frames.length === 2 ? resolve() : setImmediate(check));
    check();
  });
  expect(frames).toEqual(['txt {"id":1,"result":{"ok":true}}', 'txt {"method":"n","params":{"a":1},"emittedAtMs":42}']);
  client.close();
  await closed;
  // Writes after the close are dropped without an error.
  await expect(writer.write({ jsonrpc: '2.0', method: 'late' } as Message)).resolves.toBeUndefined();
});

test('a client that stops reading is disconnected once its queue would pass the bound, with a log line', async () => {
  const { client, socket, writer, logger } = await pair(256 * 1024);
  client.pause();
  const big = 'x'.repeat(64 * 1024);
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  // The kernel takes some frames; then the socket's own queue grows until the bound is reached.
  for (let i = 0; i < 2000 && socket.readyState === WebSocket.OPEN; i++) await writer.write({ jsonrpc: '2.0', method: 'n', params: { big } } as Message);
  await closed;
  expect(logger.lines).toContain('disconnecting slow connection after outbound queue filled: test');
  expect(socket.bufferedAmount).toBeLessThanOrEqual(256 * 1024);
});
