/**
 * A JSON-RPC client of a server started with `--listen ws://IP:PORT` or `--listen unix://PATH`, for tests: one
 * WebSocket connection (over TCP, or over the unix socket with the same HTTP upgrade the reference expects), one text
 * frame per message, every received message kept in arrival order and optionally checked against the reference JSON
 * Schema. Waits are bounded (they fail with the last messages received), never sleeps.
 */
import { connect } from 'node:net';
import WebSocket from 'ws';
import { isError, isNotification, isResponse, type JsonRpcError, type JsonRpcMessage, type JsonRpcNotification, type JsonRpcResponse, type RequestId } from './jsonrpc.js';
import { MessageInbox } from './message-inbox.js';
import type { MessageChecker } from './schema-checker.js';

/** Where to connect: a `ws://` URL, or a unix socket path (the control socket or its symlink). */
export type WsTarget = string | { socketPath: string };

export interface WsClientOptions {
  /** Extra upgrade request headers (`Authorization`, `Origin`). */
  headers?: Record<string, string>;
  /** Checks each received message (e.g. `await loadSchemaChecker(bundle)`); problems are kept in `schemaProblems()`. */
  messageChecker?: MessageChecker;
  /** Bound on each wait; default 20 s. */
  readTimeoutMs?: number;
}

/** The server answered the upgrade with an HTTP status instead of switching protocols. */
export class WsUpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`websocket upgrade refused: HTTP ${status} ${body}`);
    this.name = 'WsUpgradeRefused';
  }
}

export class WsClient {
  private readonly inbox: MessageInbox;
  private readonly methods = new Map<RequestId, string>();
  private readonly problems: string[] = [];
  private readonly all: JsonRpcMessage[] = [];
  private nextId = 1;
  /** Resolves with the close code once the connection is closed (by either side). */
  readonly closed: Promise<number>;

  private constructor(
    readonly socket: WebSocket,
    private readonly options: WsClientOptions,
  ) {
    this.inbox = new MessageInbox(() => this.diagnostics());
    this.closed = new Promise((resolve) =>
      socket.on('close', (code) => {
        this.inbox.close(`connection closed (${code})`);
        resolve(code);
      }),
    );
    socket.on('error', () => {});
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.problems.push('binary frame received');
        return;
      }
      const message = JSON.parse(data.toString()) as JsonRpcMessage;
      this.all.push(message);
      const id = (message as { id?: RequestId }).id;
      const method = id !== undefined && (isResponse(message) || isError(message)) ? this.methods.get(id) : undefined;
      for (const p of options.messageChecker?.check(message, method) ?? []) this.problems.push(p);
      this.inbox.push(message);
    });
  }

  /** Opens a connection; rejects with {@link WsUpgradeRefused} when the server answers the upgrade with a status. */
  static connect(target: WsTarget, options: WsClientOptions = {}): Promise<WsClient> {
    const socket =
      typeof target === 'string'
        ? new WebSocket(target, { headers: options.headers })
        : new WebSocket('ws://localhost/', { headers: options.headers, createConnection: () => connect(target.socketPath) });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new WsClient(socket, options)));
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => reject(new WsUpgradeRefused(res.statusCode ?? 0, body)));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one message as one text frame. */
  send(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Sends a request; returns its id. */
  request(method: string, params?: unknown): number {
    const id = this.nextId++;
    this.methods.set(id, method);
    this.send(params === undefined ? { id, method } : { id, method, params });
    return id;
  }

  /** Waits for the answer (result or error) to request `id`. */
  async answer(id: RequestId): Promise<JsonRpcResponse | JsonRpcError> {
    const m = await this.inbox.takeMatching((x) => (isResponse(x) || isError(x)) && x.id === id, `the answer to request ${id}`, this.timeout);
    return m as JsonRpcResponse | JsonRpcError;
  }

  /** Sends a request and returns its result; throws with the error when it fails. */
  async call<R = any>(method: string, params?: unknown): Promise<R> {
    const answer = await this.answer(this.request(method, params));
    if (isError(answer)) throw new Error(`${method} failed: ${JSON.stringify(answer.error)}`);
    return answer.result as R;
  }

  /** `initialize` then `initialized`; returns the initialize result. */
  async initialize(name: string, version = '1.0.0'): Promise<{ userAgent: string; codexHome: string }> {
    const result = await this.call('initialize', { clientInfo: { name, title: null, version } });
    this.send({ method: 'initialized' });
    return result;
  }

  /** Waits for the next notification `method` (matching `predicate`), skipping others (kept for later waits). */
  async notification(method: string, predicate: (params: any) => boolean = () => true): Promise<JsonRpcNotification> {
    const m = await this.inbox.takeMatching((x) => isNotification(x) && x.method === method && predicate(x.params), `notification ${method}`, this.timeout);
    return m as JsonRpcNotification;
  }

  /** Every message received so far, in arrival order (waits do not remove anything from here). */
  received(): readonly JsonRpcMessage[] {
    return [...this.all];
  }

  schemaProblems(): readonly string[] {
    return [...this.problems];
  }

  /** Stops reading the socket (the kernel buffers fill, then the server's send queue): a stalled client. */
  stopReading(): void {
    this.socket.pause();
  }

  /** Reads the socket again after {@link stopReading}. */
  resumeReading(): void {
    this.socket.resume();
  }

  /** Closes the connection (1000) and waits until it is closed. */
  async close(): Promise<number> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    else if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    return this.closed;
  }

  private get timeout(): number {
    return this.options.readTimeoutMs ?? 20_000;
  }

  private diagnostics(): string {
    const last = this.all.slice(-10).map((m) => `  < ${JSON.stringify(m).slice(0, 300)}`);
    return `last messages received:\n${last.join('\n') || '  (none)'}`;
  }
}
