/**
 * Edges of one WebSocket as a vscode-jsonrpc reader/writer pair (issue 17): listen/dispose, sockets already closing,
 * protocol errors, throwing handlers, the nesting bound, encoding failures and the exact send bound.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, expect, test, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { Message } from 'vscode-jsonrpc';
import { attachWebSocket, DEFAULT_MAX_QUEUED_SEND_BYTES } from '../../../src/transport/websocket-connection.js';
import { encodeMessage } from '../../../src/transport/wire-format.js';
import { captureLogger, tick } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A connected client and the server-side socket, attached as a reader/writer pair (not listening yet). */
async function pair(maxQueuedSendBytes?: number) {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise((r) => http.close(r)), () => wss.close());
  const serverSide = new Promise<WebSocket>((r) => wss.once('connection', r));
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  cleanups.push(() => client.terminate());
  await new Promise((r) => client.once('open', r));
  const socket = await serverSide;
  cleanups.push(() => socket.terminate());
  const { logger, lines } = captureLogger();
  const { reader, writer } = attachWebSocket(socket, { clock: { nowMs: () => 42 }, logger, label: 'conn-x', maxQueuedSendBytes });
  return { client, socket, reader, writer, lines };
}

const frames = (client: WebSocket) => {
  const got: string[] = [];
  client.on('message', (d) => got.push(d.toString()));
  return got;
};

test('listen may be called only once', async () => {
  const { reader } = await pair();
  reader.listen(() => {});
  expect(() => reader.listen(() => {})).toThrow('WebSocketMessageReader.listen may be called only once');
});

test('listening on a socket that is already closing reports the close once', async () => {
  const { socket, reader } = await pair();
  socket.close(1000);
  expect(socket.readyState).toBe(WebSocket.CLOSING);
  let closes = 0;
  reader.onClose(() => (closes += 1));
  reader.listen(() => {});
  await new Promise<void>((r) => socket.once('close', () => r()));
  await tick();
  expect(closes).toBe(1);
});

test('listening on an open socket reports no close until it closes', async () => {
  const { client, reader } = await pair();
  let closes = 0;
  reader.onClose(() => (closes += 1));
  reader.listen(() => {});
  await tick();
  await tick();
  expect(closes).toBe(0);
  const closed = new Promise<void>((r) => reader.onClose(() => r()));
  client.close();
  await closed;
  expect(closes).toBe(1);
});

test('a protocol error from the client is logged at debug and closes the reader once', async () => {
  const { client, reader, lines } = await pair();
  let closes = 0;
  reader.onClose(() => (closes += 1));
  const received: Message[] = [];
  reader.listen((m) => received.push(m));
  const closed = new Promise<void>((r) => reader.onClose(() => r()));
  // An unmasked text frame: clients must mask, so the server side fails the connection with an error.
  (client as unknown as { _socket: Socket })._socket.write(Buffer.from([0x81, 0x02, 0x7b, 0x7d]));
  await closed;
  await tick();
  expect(received).toEqual([]);
  expect(closes).toBe(1);
  const logged = lines().filter((l) => l.msg === 'websocket error');
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ level: 20, connection: 'conn-x', err: { message: expect.stringMatching(/MASK/) } });
});

test('after dispose, frames and the close are no longer reported', async () => {
  const { client, socket, reader } = await pair();
  const received: Message[] = [];
  let closes = 0;
  reader.onClose(() => (closes += 1));
  const disposable = reader.listen((m) => received.push(m));
  disposable.dispose();
  client.send('{"id":1,"method":"a"}');
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  client.close();
  await closed;
  await tick();
  expect(received).toEqual([]);
  expect(closes).toBe(0);
  expect(socket.listenerCount('message')).toBe(0);
  expect(socket.listenerCount('error')).toBe(0);
});

test('frames that are JSON but not objects are dropped with a warn line naming the connection', async () => {
  const { client, reader, lines } = await pair();
  const received: Message[] = [];
  reader.listen((m) => received.push(m));
  for (const text of ['42', 'null', '"s"', 'true']) client.send(text);
  client.send('{"id":9,"method":"last"}');
  await vi.waitFor(() => expect(received).toHaveLength(1));
  const drops = lines().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('dropped'));
  expect(drops.map((l) => [l.level, l.connection, l.reason, l.msg])).toEqual(
    Array(4).fill([40, 'conn-x', 'not a JSON object', 'dropped incoming websocket frame (not a JSON object)']),
  );
});

test('the nesting bound: 127 levels arrive, 128 are dropped as nested too deeply', async () => {
  const { client, reader, lines } = await pair();
  const received: Message[] = [];
  reader.listen((m) => received.push(m));
  const nested = (depth: number) => `{"id":${depth},"method":"m","params":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
  client.send(nested(128));
  client.send(nested(127));
  await vi.waitFor(() => expect(received).toHaveLength(1));
  expect(received[0]).toMatchObject({ id: 127 });
  expect(lines().filter((l) => l.reason === 'nested too deeply').map((l) => l.msg)).toEqual(['dropped incoming websocket frame (nested too deeply)']);
});

test('a throwing handler is logged and reported through onError; later frames still arrive', async () => {
  const { client, reader, lines } = await pair();
  const errors: Error[] = [];
  reader.onError((e) => errors.push(e));
  const received: Message[] = [];
  reader.listen((m) => {
    if ((m as { id?: number }).id === 1) throw new Error('handler bug');
    received.push(m);
  });
  client.send('{"id":1,"method":"a"}');
  client.send('{"id":2,"method":"b"}');
  await vi.waitFor(() => expect(received).toHaveLength(1));
  expect(errors.map((e) => e.message)).toEqual(['handler bug']);
  expect(lines().filter((l) => l.level === 50).map((l) => [l.msg, l.connection])).toEqual([['message handler threw while processing an incoming frame', 'conn-x']]);
});

test('a message that cannot be encoded rejects that write (an Error even for a thrown string) and is logged', async () => {
  const { client, writer, lines } = await pair();
  const got = frames(client);
  await expect(writer.write({ jsonrpc: '2.0' } as Message)).rejects.toThrow(TypeError);
  const bad = {
    toJSON: () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test: a thrown non-Error
      throw 'plain string';
    },
  };
  await expect(writer.write({ jsonrpc: '2.0', id: 1, result: bad } as unknown as Message)).rejects.toThrow(new Error('plain string'));
  await writer.write({ jsonrpc: '2.0', id: 2, result: null } as Message);
  await vi.waitFor(() => expect(got).toEqual(['{"id":2,"result":null}']));
  expect(lines().filter((l) => l.level === 50).map((l) => l.msg)).toEqual([
    'outgoing message could not be encoded; not sent',
    'outgoing message could not be encoded; not sent',
  ]);
});

test('the send bound is inclusive: a frame that exactly fills it goes out, one byte more disconnects', async () => {
  const message = { jsonrpc: '2.0', id: 1, result: 'x'.repeat(100) } as Message;
  const size = Buffer.byteLength(encodeMessage(message, () => 0));
  const fits = await pair(size);
  const got = frames(fits.client);
  await fits.writer.write(message);
  await vi.waitFor(() => expect(got).toHaveLength(1));

  const over = await pair(size - 1);
  const closed = new Promise<number>((r) => over.client.once('close', (code) => r(code)));
  await over.writer.write(message);
  expect(await closed).toBe(1006);
  const warn = over.lines().filter((l) => l.level === 40);
  expect(warn).toEqual([
    expect.objectContaining({ connection: 'conn-x', queuedBytes: 0, limitBytes: size - 1, msg: 'disconnecting slow connection after outbound queue filled: conn-x' }),
  ]);
  // Later writes are dropped without another log line.
  await over.writer.write(message);
  expect(over.lines().filter((l) => l.level === 40)).toHaveLength(1);
});

test('the default send bound is 32 MiB', async () => {
  expect(DEFAULT_MAX_QUEUED_SEND_BYTES).toBe(32 * 1024 * 1024);
  const { client, writer } = await pair();
  const got = frames(client);
  await writer.write({ jsonrpc: '2.0', id: 1, result: 'z'.repeat(1024 * 1024) } as Message);
  await vi.waitFor(() => expect(got).toHaveLength(1));
});

test('writes while the socket is closing send nothing; the writer reports the close', async () => {
  const { socket, writer } = await pair();
  let closes = 0;
  writer.onClose(() => (closes += 1));
  socket.close(1000);
  const sent = vi.spyOn(socket, 'send');
  await writer.write({ jsonrpc: '2.0', id: 1, result: null } as Message);
  expect(sent).not.toHaveBeenCalled();
  await new Promise<void>((r) => socket.once('close', () => r()));
  expect(closes).toBe(1);
});

test('a send that fails because the socket went away is logged at debug, not thrown', async () => {
  const { socket, writer, lines } = await pair();
  // The TCP socket is destroyed; the WebSocket learns of it only on its next turn, so it still reads OPEN.
  (socket as unknown as { _socket: Socket })._socket.destroy();
  expect(socket.readyState).toBe(WebSocket.OPEN);
  await writer.write({ jsonrpc: '2.0', id: 1, result: null } as Message);
  await vi.waitFor(() => expect(lines().filter((l) => l.msg === 'websocket send failed')).toHaveLength(1));
  expect(lines().find((l) => l.msg === 'websocket send failed')).toMatchObject({ level: 20, connection: 'conn-x', err: { code: 'ERR_STREAM_DESTROYED' } });
});

test('end() leaves the socket to its owner: later writes still go out', async () => {
  const { client, writer } = await pair();
  const got = frames(client);
  writer.end();
  await writer.write({ jsonrpc: '2.0', id: 3, result: 1 } as Message);
  await vi.waitFor(() => expect(got).toEqual(['{"id":3,"result":1}']));
});
