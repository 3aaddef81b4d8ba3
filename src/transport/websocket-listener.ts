import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { attachWebSocket, type WebSocketMessageReader, type WebSocketMessageWriter } from './websocket-connection.js';
import type { UpgradeAuthorizer } from './ws-auth.js';

/** Largest message a client may send (bytes, after reassembling fragments); a larger one closes its connection (1009). */
export const MAX_INCOMING_MESSAGE_BYTES = 64 * 1024 * 1024;

/** How long `close()` lets clients take their last messages and the close frame before cutting them off. */
export const CLOSE_GRACE_MS = 5_000;

/** One accepted client: its message pair and a name for log lines. */
export interface AcceptedConnection {
  reader: WebSocketMessageReader;
  writer: WebSocketMessageWriter;
  label: string;
}

/** Construction options of {@link WebSocketListener}. */
export interface WebSocketListenerOptions {
  clock: Clock;
  logger: Logger;
  /**
   * `tcp`: the reference's `ws://IP:PORT` front (an HTTP server): `GET /readyz` and `/healthz` answer 200, any request
   * carrying an `Origin` header is refused with 403 (a browser page must not drive a local agent), malformed upgrades
   * get the reference's 400/405 texts, then `authorize` runs (401). `unix`: the reference's control socket: a
   * WebSocket handshake and nothing else (no probes, no Origin check, no auth: the socket file's 0600 mode is the
   * gate), answered with the `x-codex-websocket-max-unfragmented-message-bytes` header the reference sends there.
   */
  flavour: 'tcp' | 'unix';
  authorize?: UpgradeAuthorizer | null;
  maxQueuedSendBytes?: number;
  /** Called once per accepted client, synchronously, before any of its frames is read. */
  onConnection(connection: AcceptedConnection): void;
}

/**
 * Accepts WebSocket clients on a TCP address or a unix socket path and hands each to `onConnection` as a
 * vscode-jsonrpc reader/writer pair. `close()` stops accepting, then closes every client with 1001 after its queued
 * messages (cut off after {@link CLOSE_GRACE_MS}); it does not stop the server's work, which the owner drains first.
 */
export class WebSocketListener {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<WebSocket>();
  private nextId = 1;
  private stopped: Promise<void> | null = null;

  constructor(private readonly options: WebSocketListenerOptions) {
    // Reference behaviour: no extension and no subprotocol is ever agreed (`ws` would echo a client's first protocol).
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_INCOMING_MESSAGE_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: () => false,
    });
    if (options.flavour === 'unix') {
      this.wss.on('headers', (headers) => headers.push(`x-codex-websocket-max-unfragmented-message-bytes: ${16 * 1024 * 1024}`));
    }
    this.http = createServer((req, res) => this.onRequest(req, res));
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.http.on('clientError', (_error, socket) => refuseMalformed(socket));
  }

  /** Binds `host:port` (port 0 picks a free one); resolves with the bound address. Rejects with the OS error. */
  listenTcp(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen({ host, port, exclusive: true }, () => {
        this.http.off('error', reject);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  /** Binds a unix socket at `path` (which must not exist). Rejects with the OS error. */
  listenUnix(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen({ path, exclusive: true }, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
  }

  /** Clients connected right now. */
  get connectionCount(): number {
    return this.clients.size;
  }

  /** Refuses new clients from now on; connected ones are untouched. */
  stopAccepting(): void {
    this.stopped ??= new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Stops accepting and closes every client (1001, after what is queued for it); resolves when all are gone. */
  async close(): Promise<void> {
    this.stopAccepting();
    await Promise.all([...this.clients].map((ws) => closeGracefully(ws)));
    this.http.closeAllConnections();
    await this.stopped;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.options.flavour === 'unix') {
      // Reference behaviour: the control socket speaks nothing but the WebSocket handshake; anything else is dropped.
      req.socket.destroy();
      return;
    }
    if (req.headers.origin !== undefined) return reply(res, 403);
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/readyz' || path === '/healthz') {
      if (req.method === 'GET' || req.method === 'HEAD') return reply(res, 200);
      return reply(res, 405, undefined, { allow: 'GET,HEAD' });
    }
    const refused = upgradeRefusal(req) ?? NO_UPGRADE_STATE;
    reply(res, refused.status, refused.text);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.options.flavour === 'tcp') {
      if (req.headers.origin !== undefined) return refuse(socket, 403);
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/readyz' || path === '/healthz') {
        return req.method === 'GET' || req.method === 'HEAD' ? refuse(socket, 200) : refuse(socket, 405, undefined, ['allow: GET,HEAD']);
      }
      // Reference behaviour: an upgrade is only possible over HTTP/1.1 (hyper keeps no upgrade state for 1.0).
      const refused = upgradeRefusal(req) ?? (req.httpVersion === '1.1' ? null : NO_UPGRADE_STATE);
      if (refused) return refuse(socket, refused.status, refused.text);
      const denied = this.options.authorize?.(req.headers.authorization);
      if (denied) return refuse(socket, 401, denied);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const id = this.nextId++;
    const remote = req.socket as Socket;
    const label = this.options.flavour === 'tcp' ? `ws#${id} ${remote.remoteAddress}:${remote.remotePort}` : `unix#${id}`;
    this.clients.add(ws);
    ws.on('close', () => {
      this.clients.delete(ws);
      this.options.logger.debug({ connection: label }, 'connection closed');
    });
    this.options.logger.debug({ connection: label }, 'connection opened');
    const { reader, writer } = attachWebSocket(ws, { clock: this.options.clock, logger: this.options.logger, label, maxQueuedSendBytes: this.options.maxQueuedSendBytes });
    this.options.onConnection({ reader, writer, label });
  }
}

/** The reference's answer to a well-formed upgrade request that cannot be upgraded (HTTP/1.0, or no `upgrade` event). */
const NO_UPGRADE_STATE = { status: 426, text: "WebSocket request couldn't be upgraded since no upgrade state was present" };

/**
 * The reference's (axum `WebSocketUpgrade`) refusal of a request that is not a well-formed WebSocket upgrade, checked
 * in its order, or null when it is one. Reference behaviour (measured on 0.169.0): `Connection` must contain
 * `upgrade` anywhere (any case, `keep-alive, Upgrade` passes), `Upgrade` must be exactly `websocket` (any case:
 * `websocket, h2c` is refused), the key is checked before the version, and the version must be exactly `13`.
 */
function upgradeRefusal(req: IncomingMessage): { status: number; text: string } | null {
  if (req.method !== 'GET') return { status: 405, text: 'Request method must be `GET`' };
  if (!(req.headers.connection ?? '').toLowerCase().includes('upgrade')) return { status: 400, text: "Connection header did not include 'upgrade'" };
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return { status: 400, text: "`Upgrade` header did not include 'websocket'" };
  if (req.headers['sec-websocket-key'] === undefined) return { status: 400, text: '`Sec-WebSocket-Key` header missing' };
  if (req.headers['sec-websocket-version'] !== '13') return { status: 400, text: "`Sec-WebSocket-Version` header did not include '13'" };
  return null;
}

function reply(res: ServerResponse, status: number, text?: string, headers: Record<string, string> = {}): void {
  const body = text ?? '';
  res.writeHead(status, { ...(text === undefined ? {} : { 'content-type': 'text/plain; charset=utf-8' }), 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** Answers an upgrade request on its raw socket and closes it (the socket is no longer owned by the HTTP server). */
function refuse(socket: Duplex, status: number, text?: string, extraHeaders: string[] = []): void {
  const body = text ?? '';
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, ...extraHeaders];
  if (text !== undefined) head.push('content-type: text/plain; charset=utf-8');
  head.push(`content-length: ${Buffer.byteLength(body)}`, 'connection: close');
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * A request Node's HTTP parser cannot read. Reference behaviour (hyper): `400 Bad Request` with an empty body, then
 * the connection is closed. A socket that can no longer be written (reset by the client) is just destroyed.
 */
function refuseMalformed(socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n', () => socket.destroy());
}

function closeGracefully(ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    timer.unref();
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === ws.OPEN) ws.close(1001, 'server shutting down');
  });
}
