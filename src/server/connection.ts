import { createMessageConnection, type Logger as RpcLogger, type MessageConnection, type MessageReader, type MessageWriter } from 'vscode-jsonrpc/node';
import { decodeParams, unknownMethodMessage, isKnownMethod } from '../protocol/runtime.js';
import type { KeyedQueue } from '../support/keyed-queue.js';
import type { Logger } from '../support/logger.js';
import type { HandlerResult, RequestContext } from './context.js';
import { initializeResult, type InitializeParams } from './handlers/initialize.js';
import { METHOD_TABLE } from './method-table.js';
import { invalidRequest, METHOD_NOT_FOUND, toResponseError } from './errors.js';
import { ResponseError } from 'vscode-jsonrpc/node';
import { DrainOnCloseReader } from './drain-on-close-reader.js';

/** Everything a connection shares with the rest of the server. */
export type ServerContext = Omit<RequestContext, 'connection'> & { queue: KeyedQueue };

/**
 * One client over one reader/writer pair: the initialize gate, param decoding with the reference's error
 * texts, per-thread ordering through the shared queue, and notifications filtered by the client's opt-outs.
 */
export class ClientConnection {
  initialized = false;
  clientName = '';
  private optOut = new Set<string>();
  private readonly rpc: MessageConnection;
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(
    reader: MessageReader,
    writer: MessageWriter,
    private readonly server: ServerContext,
  ) {
    const draining = new DrainOnCloseReader(reader);
    this.rpc = createMessageConnection(draining, writer, rpcLogger(server.log));
    this.rpc.onRequest((method, params) => {
      const answer = this.track(() => this.dispatch(method, params));
      draining.requestDispatched();
      return answer;
    });
    this.rpc.onNotification(() => {
      // `initialized` and any other client notification need no answer (SPEC §2).
    });
  }

  listen(): void {
    this.rpc.listen();
  }

  onClose(listener: () => void): void {
    this.rpc.onClose(listener);
  }

  notify(method: string, params: Record<string, unknown>): void {
    if (this.optOut.has(method)) return;
    const undelivered = (err: unknown): void => this.server.log.debug({ err }, 'notification not delivered');
    try {
      void this.rpc.sendNotification(method, params).catch(undelivered);
    } catch (err) {
      // Once the client's stdout is gone vscode-jsonrpc throws synchronously ("Connection is closed"); turns
      // still ending during shutdown must not turn that into an uncaught exception.
      undelivered(err);
    }
  }

  /** Resolves when no request of this connection is being handled. */
  async settled(): Promise<void> {
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  dispose(): void {
    this.rpc.dispose();
  }

  private async track<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        // Several waiters are possible (shutdown's drain and the connection's own close).
        for (const wake of this.idle.splice(0)) wake();
      }
    }
  }

  private async dispatch(method: string, rawParams: unknown): Promise<unknown> {
    const cx: RequestContext = { ...this.server, connection: this };
    try {
      if (!isKnownMethod(method)) throw invalidRequest(unknownMethodMessage(method));
      const decoded = decodeParams(method, rawParams);
      if (!decoded.ok) throw invalidRequest(decoded.message);
      const params = decoded.value as Record<string, unknown>;
      if (method === 'initialize') return this.finish(this.initialize(params as unknown as InitializeParams, cx));
      if (!this.initialized) throw invalidRequest('Not initialized');
      const entry = METHOD_TABLE.get(method);
      if (!entry) throw new ResponseError(METHOD_NOT_FOUND, `method not implemented: ${method}`);
      const run = async () => entry.handler(params as never, cx);
      const scope = entry.scope(params);
      return this.finish(scope === null ? await run() : await this.server.queue.run(scope, run));
    } catch (error) {
      throw toResponseError(error, this.server.log);
    }
  }

  private initialize(params: InitializeParams, cx: RequestContext): HandlerResult {
    if (this.initialized) throw invalidRequest('Already initialized');
    this.initialized = true;
    this.clientName = params.clientInfo.name;
    this.optOut = new Set(params.capabilities?.optOutNotificationMethods ?? []);
    return initializeResult(params, cx);
  }

  /** The response is written before `after` runs: the reply goes out in this microtask chain, `after` on the next macrotask. */
  private finish(out: HandlerResult): unknown {
    if (out.after) setImmediate(out.after);
    return out.result;
  }
}

function rpcLogger(log: Logger): RpcLogger {
  return {
    error: (message) => log.debug({ source: 'jsonrpc' }, message),
    warn: (message) => log.debug({ source: 'jsonrpc' }, message),
    info: (message) => log.debug({ source: 'jsonrpc' }, message),
    log: (message) => log.debug({ source: 'jsonrpc' }, message),
  };
}
