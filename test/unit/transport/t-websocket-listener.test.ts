/**
 * The WebSocket listener (issue 16/17), driven over real sockets: the HTTP answers of the `ws://` front byte for byte
 * (texts measured on the reference 0.169.0, `codex app-server --listen ws://127.0.0.1:PORT`), the handshake, the
 * accepted clients' labels and logs, and closing.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import WebSocket from 'ws';
import type { Message } from 'vscode-jsonrpc';
import { CLOSE_GRACE_MS, WebSocketListener, type AcceptedConnection, type WebSocketListenerOptions } from '../../../src/transport/websocket-listener.js';
import { captureLogger } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Target = { port: number } | { path: string };

async function start(flavour: 'tcp' | 'unix', extra: Partial<WebSocketListenerOptions> = {}) {
  const { logger, lines } = captureLogger();
  const accepted: AcceptedConnection[] = [];
  const listener = new WebSocketListener({ clock: { nowMs: () => 7 }, logger, flavour, onConnection: (c) => accepted.push(c), ...extra });
  let target: Target;
  if (flavour === 'tcp') {
    target = { port: (await listener.listenTcp('127.0.0.1', 0)).port };
  } else {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 't-wsl-')));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    target = { path: path.join(dir, 's.sock') };
    await listener.listenUnix(target.path);
  }
  cleanups.push(() => listener.close());
  return { listener, target, accepted, lines };
}

interface RawResponse {
  /** Everything received up to the end of the first response (or until the server closed). */
  raw: string;
  statusLine: string;
  /** Header lines as sent, `name: value`, names lower-cased. */
  headers: string[];
  body: string;
  socket: Socket;
  /** Resolves when the server ends or drops the connection. */
  closed: Promise<void>;
}

/** Sends `request` on a fresh connection and reads one HTTP response (headers, then `content-length` bytes). */
function exchange(target: Target, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = 'port' in target ? connect(target.port, '127.0.0.1') : connect(target.path);
    cleanups.push(() => socket.destroy());
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    let data = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const text = data.toString('utf8');
      const headEnd = text.indexOf('\r\n\r\n');
      const head = headEnd === -1 ? text : text.slice(0, headEnd);
      const [statusLine = '', ...rest] = head.split('\r\n');
      const headers = rest.filter((l) => l !== '').map((l) => {
        const colon = l.indexOf(':');
        return `${l.slice(0, colon).toLowerCase()}:${l.slice(colon + 1)}`;
      });
      resolve({ raw: text, statusLine, headers, body: headEnd === -1 ? '' : text.slice(headEnd + 4), socket, closed });
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      if (text.startsWith('HTTP/1.1 101')) return finish();
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headEnd + 2));
      if (length && data.length >= headEnd + 4 + Number(length[1])) finish();
    });
    socket.once('close', finish);
    socket.once('error', reject);
    socket.write(request);
  });
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/** A request with the given start line and headers (`null` leaves a default header out). */
function request(startLine: string, headers: Record<string, string | null> = {}): string {
  const all: Record<string, string | null> = { host: 'x', 'sec-websocket-key': KEY, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', ...headers };
  return `${startLine}\r\n${Object.entries(all)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

const plain = (startLine: string, headers: Record<string, string> = {}) =>
  request(startLine, { 'sec-websocket-key': null, connection: null, upgrade: null, 'sec-websocket-version': null, ...headers });

/** The headers of a response without the ones Node adds on its own (`date`, keep-alive). */
const own = (r: RawResponse) => r.headers.filter((h) => !/^(date|connection|keep-alive):/.test(h));

function openClient(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, options);
  cleanups.push(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const urlOf = (target: Target) => ('port' in target ? `ws://127.0.0.1:${target.port}/` : `ws+unix://${target.path}:/`);

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(d.toString())));
}

function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe('tcp: plain HTTP requests', () => {
  test.for([
    ['GET /readyz HTTP/1.1', {}],
    ['GET /healthz HTTP/1.1', {}],
    ['HEAD /healthz HTTP/1.1', {}],
    ['GET /readyz?probe=1 HTTP/1.1', {}],
  ] as const)('%s → 200 with an empty body and no content-type', async ([line, headers]) => {
    const { target } = await start('tcp');
    const r = await exchange(target, plain(line, headers));
    expect(r.statusLine).toBe('HTTP/1.1 200 OK');
    expect(own(r)).toEqual(['content-length: 0']);
    expect(r.body).toBe('');
  });

  test.for(['POST /readyz HTTP/1.1', 'DELETE /healthz HTTP/1.1'])('%s → 405 with `allow: GET,HEAD`', async (line) => {
    const { target } = await start('tcp');
    const r = await exchange(target, plain(line, { 'content-length': '0' }));
    expect(r.statusLine).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(own(r)).toEqual(['content-length: 0', 'allow: GET,HEAD']);
  });

  test('any request with an Origin header → 403, even a probe', async () => {
    const { target } = await start('tcp');
    for (const line of ['GET /readyz HTTP/1.1', 'GET / HTTP/1.1']) {
      const r = await exchange(target, plain(line, { origin: 'http://evil.example' }));
      expect(r.statusLine).toBe('HTTP/1.1 403 Forbidden');
      expect(own(r)).toEqual(['content-length: 0']);
    }
  });

  test.for([
    ['GET / HTTP/1.1', {}, 400, "Connection header did not include 'upgrade'"],
    ['PUT /x HTTP/1.1', { 'content-length': '0' }, 405, 'Request method must be `GET`'],
    ['GET / HTTP/1.1', { connection: 'upgradex' }, 400, "`Upgrade` header did not include 'websocket'"],
    ['GET / HTTP/1.1', { connection: 'xupgradex', upgrade: 'websocket' }, 400, '`Sec-WebSocket-Key` header missing'],
    ['GET / HTTP/1.1', { connection: 'xupgradex', upgrade: 'websocket', 'sec-websocket-key': KEY }, 400, "`Sec-WebSocket-Version` header did not include '13'"],
    // Node's parser sees no upgrade in `xupgradex`, so this well-formed request gets the 426 text (the reference,
    // whose check is a substring one, upgrades it: a difference left alone, no real client sends such a header).
    ['GET / HTTP/1.1', { connection: 'xupgradex', upgrade: 'websocket', 'sec-websocket-key': KEY, 'sec-websocket-version': '13' }, 426, "WebSocket request couldn't be upgraded since no upgrade state was present"],
  ] as const)('%s %j → %d with the reference text', async ([line, headers, status, text]) => {
    const { target } = await start('tcp');
    const r = await exchange(target, plain(line, headers));
    expect(r.statusLine).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(own(r)).toEqual(['content-type: text/plain; charset=utf-8', `content-length: ${Buffer.byteLength(text)}`]);
    expect(r.body).toBe(text);
  });

  test('a request the HTTP parser cannot read → 400 with an empty body, then the connection is closed', async () => {
    const { target } = await start('tcp');
    const r = await exchange(target, 'GARBAGE\r\n\r\n');
    expect(r.raw).toBe('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    await r.closed;
  });
});

describe('tcp: upgrade requests', () => {
  test.for([
    ['GET / HTTP/1.1', { origin: 'http://a' }, 'HTTP/1.1 403 Forbidden', null],
    ['GET /readyz HTTP/1.1', {}, 'HTTP/1.1 200 OK', null],
    ['HEAD /healthz?x HTTP/1.1', {}, 'HTTP/1.1 200 OK', null],
    ['POST / HTTP/1.1', { 'content-length': '0' }, 'HTTP/1.1 405 Method Not Allowed', 'Request method must be `GET`'],
    ['GET / HTTP/1.1', { upgrade: 'websocket, h2c' }, 'HTTP/1.1 400 Bad Request', "`Upgrade` header did not include 'websocket'"],
    ['GET / HTTP/1.1', { upgrade: 'h2c, websocket' }, 'HTTP/1.1 400 Bad Request', "`Upgrade` header did not include 'websocket'"],
    ['GET / HTTP/1.1', { 'sec-websocket-key': null, 'sec-websocket-version': '12' }, 'HTTP/1.1 400 Bad Request', '`Sec-WebSocket-Key` header missing'],
    ['GET / HTTP/1.1', { 'sec-websocket-version': null }, 'HTTP/1.1 400 Bad Request', "`Sec-WebSocket-Version` header did not include '13'"],
    ['GET / HTTP/1.1', { 'sec-websocket-version': '13, 8' }, 'HTTP/1.1 400 Bad Request', "`Sec-WebSocket-Version` header did not include '13'"],
    ['GET / HTTP/1.0', {}, 'HTTP/1.1 426 Upgrade Required', "WebSocket request couldn't be upgraded since no upgrade state was present"],
  ] as const)('%s %j → %s, then the connection is closed', async ([line, headers, statusLine, text]) => {
    const { target, accepted } = await start('tcp');
    const r = await exchange(target, request(line, headers));
    expect(r.statusLine).toBe(statusLine);
    expect(r.headers).toEqual([
      ...(text === null ? [] : ['content-type: text/plain; charset=utf-8']),
      `content-length: ${Buffer.byteLength(text ?? '')}`,
      'connection: close',
    ]);
    expect(r.body).toBe(text ?? '');
    await r.closed;
    expect(accepted).toEqual([]);
  });

  test('a probe path with another method → 405 with `allow: GET,HEAD`', async () => {
    const { target } = await start('tcp');
    const r = await exchange(target, request('POST /healthz HTTP/1.1', { 'content-length': '0' }));
    expect(r.raw).toBe('HTTP/1.1 405 Method Not Allowed\r\nallow: GET,HEAD\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });

  test('a well-formed upgrade (any case, `Connection` listing more tokens) → 101 without extension or subprotocol', async () => {
    const { target, accepted } = await start('tcp');
    const r = await exchange(
      target,
      request('GET /any/path?q HTTP/1.1', { connection: 'keep-alive, Upgrade', upgrade: 'WebSocket', 'sec-websocket-extensions': 'permessage-deflate', 'sec-websocket-protocol': 'foo, bar' }),
    );
    expect(r.statusLine).toBe('HTTP/1.1 101 Switching Protocols');
    expect(r.headers).toEqual(['upgrade: websocket', 'connection: Upgrade', `sec-websocket-accept: ${ACCEPT}`]);
    expect(accepted).toHaveLength(1);
  });

  test('a client that insists on a subprotocol cannot connect (none is ever agreed)', async () => {
    const { target } = await start('tcp');
    const ws = new WebSocket(urlOf(target), 'foo');
    cleanups.push(() => ws.terminate());
    const outcome = new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', (e) => resolve(e.message));
    });
    expect(await outcome).toBe('Server sent no subprotocol');
  });

  test('the authorizer sees the Authorization header and its text is the 401 body; checks before it win', async () => {
    const seen: (string | undefined)[] = [];
    const { target, accepted } = await start('tcp', {
      authorize: (h) => {
        seen.push(h);
        return h === 'Bearer ok' ? null : 'invalid websocket bearer token';
      },
    });
    const denied = await exchange(target, request('GET / HTTP/1.1', { authorization: 'Bearer nope' }));
    expect(denied.raw).toBe(
      'HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 30\r\nconnection: close\r\n\r\ninvalid websocket bearer token',
    );
    const missing = await exchange(target, request('GET / HTTP/1.1'));
    expect(missing.statusLine).toBe('HTTP/1.1 401 Unauthorized');
    const badVersion = await exchange(target, request('GET / HTTP/1.1', { authorization: 'Bearer nope', 'sec-websocket-version': '8' }));
    expect(badVersion.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(seen).toEqual(['Bearer nope', undefined]);
    const ok = await exchange(target, request('GET / HTTP/1.1', { authorization: 'Bearer ok' }));
    expect(ok.statusLine).toBe('HTTP/1.1 101 Switching Protocols');
    expect(accepted).toHaveLength(1);
  });
});

describe('accepted clients', () => {
  test('each client gets a label, log lines, and a working message pair; connectionCount follows', async () => {
    const { listener, target, accepted, lines } = await start('tcp');
    expect(listener.connectionCount).toBe(0);
    const a = await openClient(urlOf(target));
    const b = await openClient(urlOf(target));
    expect(accepted.map((c) => c.label)).toEqual([
      `ws#1 127.0.0.1:${(a as unknown as { _socket: Socket })._socket.localPort}`,
      `ws#2 127.0.0.1:${(b as unknown as { _socket: Socket })._socket.localPort}`,
    ]);
    expect(listener.connectionCount).toBe(2);
    expect(a.extensions).toBe('');
    expect(a.protocol).toBe('');

    const received: Message[] = [];
    accepted[0]!.reader.listen((m) => received.push(m));
    const big = 'y'.repeat(100_000);
    a.send(JSON.stringify({ id: 1, method: 'm', params: { big } }));
    const frame = nextMessage(a);
    await accepted[0]!.writer.write({ jsonrpc: '2.0', method: 'n', params: {} } as Message);
    expect(await frame).toBe('{"method":"n","params":{},"emittedAtMs":7}');
    await vi.waitFor(() => expect(received).toEqual([{ id: 1, method: 'm', params: { big } }]));

    const gone = new Promise<void>((r) => accepted[1]!.reader.onClose(() => r()));
    accepted[1]!.reader.listen(() => {});
    b.close();
    await gone;
    await vi.waitFor(() => expect(listener.connectionCount).toBe(1));
    const logged = lines().filter((l) => l.msg === 'connection opened' || l.msg === 'connection closed');
    expect(logged.map((l) => [l.msg, l.connection])).toEqual([
      ['connection opened', accepted[0]!.label],
      ['connection opened', accepted[1]!.label],
      ['connection closed', accepted[1]!.label],
    ]);
  });

  test('the send bound is handed to each connection', async () => {
    const { target, accepted } = await start('tcp', { maxQueuedSendBytes: 16 });
    const client = await openClient(urlOf(target));
    const closed = closeOf(client);
    await accepted[0]!.writer.write({ jsonrpc: '2.0', method: 'n', params: { text: 'more than sixteen bytes' } } as Message);
    expect((await closed).code).toBe(1006);
  });
});

describe('closing', () => {
  test('close() sends 1001 to every client, waits for them, and stops accepting', async () => {
    const { listener, target } = await start('tcp');
    const a = await openClient(urlOf(target));
    const b = await openClient(urlOf(target));
    const closes = [closeOf(a), closeOf(b)];
    await listener.close();
    expect(await Promise.all(closes)).toEqual([
      { code: 1001, reason: 'server shutting down' },
      { code: 1001, reason: 'server shutting down' },
    ]);
    expect(listener.connectionCount).toBe(0);
    await expect(openClient(urlOf(target))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('stopAccepting() refuses new clients and leaves connected ones working', async () => {
    const { listener, target, accepted } = await start('tcp');
    const a = await openClient(urlOf(target));
    listener.stopAccepting();
    listener.stopAccepting();
    await expect(openClient(urlOf(target))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const frame = nextMessage(a);
    await accepted[0]!.writer.write({ jsonrpc: '2.0', id: 1, result: {} } as Message);
    expect(await frame).toBe('{"id":1,"result":{}}');
    expect(listener.connectionCount).toBe(1);
  });

  test(`a client that never answers the close frame is cut off after ${CLOSE_GRACE_MS} ms`, async () => {
    const { listener, target } = await start('tcp');
    const client = await openClient(urlOf(target));
    // The client stops reading: it never sees the close frame, so it never answers it.
    (client as unknown as { _socket: Socket })._socket.pause();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let done = false;
    const closing = listener.close().then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    vi.advanceTimersByTime(CLOSE_GRACE_MS - 1);
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    expect(listener.connectionCount).toBe(1);
    vi.advanceTimersByTime(1);
    await closing;
    expect(listener.connectionCount).toBe(0);
  });

  test('listenTcp rejects with the OS error when the port is taken', async () => {
    const { target } = await start('tcp');
    const { logger } = captureLogger();
    const second = new WebSocketListener({ clock: { nowMs: () => 0 }, logger, flavour: 'tcp', onConnection: () => {} });
    await expect(second.listenTcp('127.0.0.1', (target as { port: number }).port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('unix flavour (the control socket)', () => {
  test('a handshake only: the reference header, label unix#N, no Origin check and no auth', async () => {
    const { target, accepted } = await start('unix', { authorize: () => 'denied' });
    const r = await exchange(target, request('GET / HTTP/1.1', { origin: 'http://a' }));
    expect(r.statusLine).toBe('HTTP/1.1 101 Switching Protocols');
    expect(r.headers).toEqual(['upgrade: websocket', 'connection: Upgrade', `sec-websocket-accept: ${ACCEPT}`, 'x-codex-websocket-max-unfragmented-message-bytes: 16777216']);
    await openClient(urlOf(target));
    expect(accepted.map((c) => c.label)).toEqual(['unix#1', 'unix#2']);
  });

  test('a plain HTTP request (even a probe) is dropped without an answer', async () => {
    const { target } = await start('unix');
    const r = await exchange(target, plain('GET /readyz HTTP/1.1'));
    expect(r.raw).toBe('');
    await r.closed;
  });

  test('listenUnix rejects with the OS error when the path is taken', async () => {
    const { target } = await start('unix');
    const { logger } = captureLogger();
    const second = new WebSocketListener({ clock: { nowMs: () => 0 }, logger, flavour: 'unix', onConnection: () => {} });
    await expect(second.listenUnix((target as { path: string }).path)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
