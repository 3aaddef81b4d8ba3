import { AbstractMessageReader, AbstractMessageWriter, type DataCallback, type Disposable, type Message, type MessageReader, type MessageWriter } from 'vscode-jsonrpc';
import type { RawData, WebSocket } from 'ws';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { MAX_NESTING_DEPTH, nestingExceeds } from './ndjson-reader.js';
import { encodeMessage } from './wire-format.js';

/**
 * Default bound on what one connection may have queued for sending (bytes not yet handed to the OS). A client that
 * stops reading its socket reaches it and is disconnected: it never blocks other clients, and the server's memory
 * stays bounded. Reference behaviour: an outbound queue of 128 messages per connection, and "disconnecting slow
 * connection after outbound queue filled"; bytes bound memory where a message count does not.
 */
export const DEFAULT_MAX_QUEUED_SEND_BYTES = 32 * 1024 * 1024;

/** Construction options of {@link attachWebSocket}. */
export interface WebSocketConnectionOptions {
  /** Stamps `emittedAtMs` on notifications. */
  clock: Clock;
  logger: Logger;
  /** Names the connection in log lines (`ws 127.0.0.1:51234`, `unix #3`). */
  label: string;
  /** See {@link DEFAULT_MAX_QUEUED_SEND_BYTES}. */
  maxQueuedSendBytes?: number;
}

/**
 * The vscode-jsonrpc reader/writer pair of one WebSocket connection (TCP or unix socket), framed as the reference
 * frames it: each text frame carries exactly one JSON-RPC message, with no line framing inside (a frame holding two
 * `\n`-separated messages is not JSON and is dropped). Binary frames, frames that are not JSON objects and frames
 * nested deeper than serde's limit are dropped and logged, never answered, and the connection stays usable
 * (reference behaviour: `Failed to deserialize JSONRPCMessage`). Pings are answered by `ws` itself.
 */
export function attachWebSocket(socket: WebSocket, options: WebSocketConnectionOptions): { reader: WebSocketMessageReader; writer: WebSocketMessageWriter } {
  return { reader: new WebSocketMessageReader(socket, options), writer: new WebSocketMessageWriter(socket, options) };
}

/** Messages from one WebSocket; fires `onClose` once when the socket closes (either side, or an error). */
export class WebSocketMessageReader extends AbstractMessageReader implements MessageReader {
  private callback: DataCallback | null = null;
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: WebSocketConnectionOptions,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    if (this.callback) throw new Error('WebSocketMessageReader.listen may be called only once');
    this.callback = callback;
    const onMessage = (data: RawData, isBinary: boolean): void => this.handle(data, isBinary);
    const onClose = (): void => this.close();
    const onError = (error: Error): void => {
      this.options.logger.debug({ err: error, connection: this.options.label }, 'websocket error');
      this.close();
    };
    this.socket.on('message', onMessage);
    this.socket.on('close', onClose);
    this.socket.on('error', onError);
    if (this.socket.readyState >= 2) queueMicrotask(onClose);
    return {
      dispose: () => {
        this.socket.off('message', onMessage);
        this.socket.off('close', onClose);
        this.socket.off('error', onError);
      },
    };
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fireClose();
  }

  private handle(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.drop('binary frame');
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    if (nestingExceeds(text, MAX_NESTING_DEPTH)) {
      this.drop('nested too deeply');
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.drop('not JSON');
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.drop('not a JSON object');
      return;
    }
    try {
      this.callback?.(value as Message);
    } catch (error) {
      this.options.logger.error({ err: error, connection: this.options.label }, 'message handler threw while processing an incoming frame');
      this.fireError(error);
    }
  }

  private drop(reason: string): void {
    this.options.logger.warn({ connection: this.options.label, reason }, `dropped incoming websocket frame (${reason})`);
  }
}

/**
 * Messages to one WebSocket, encoded as the reference writes them (`encodeMessage`), one text frame each, in `write`
 * order. `write` never waits for the client: a message is queued on the socket at once, and when the bytes the
 * socket still holds would pass `maxQueuedSendBytes` the client is disconnected (logged once at warn) and every later
 * write is dropped. Writes after the socket closed resolve without sending; the writer never throws because of the
 * socket.
 */
export class WebSocketMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private dropped = false;
  private readonly limit: number;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: WebSocketConnectionOptions,
  ) {
    super();
    this.limit = options.maxQueuedSendBytes ?? DEFAULT_MAX_QUEUED_SEND_BYTES;
    socket.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let frame: string;
    try {
      frame = encodeMessage(msg, () => this.options.clock.nowMs());
    } catch (error) {
      this.options.logger.error({ err: error }, 'outgoing message could not be encoded; not sent');
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (this.dropped || this.socket.readyState !== this.socket.OPEN) return Promise.resolve();
    const queued = this.socket.bufferedAmount;
    if (queued + Buffer.byteLength(frame) > this.limit) {
      this.dropped = true;
      this.options.logger.warn(
        { connection: this.options.label, queuedBytes: queued, limitBytes: this.limit },
        `disconnecting slow connection after outbound queue filled: ${this.options.label}`,
      );
      this.socket.terminate();
      return Promise.resolve();
    }
    this.socket.send(frame, { binary: false }, (error) => {
      if (error) this.options.logger.debug({ err: error, connection: this.options.label }, 'websocket send failed');
    });
    return Promise.resolve();
  }

  end(): void {
    // The owner closes the socket (with a close frame after the queued data).
  }
}
