import { createMessageConnection, ResponseError, type Logger as RpcLogger, type MessageConnection, type MessageReader, type MessageWriter } from 'vscode-jsonrpc/node';
import { decodeRequest, queueKeyOf, type ImplementedMethod, type MethodParams } from '../protocol/runtime.js';
import type { KeyedQueue } from '../support/keyed-queue.js';
import type { Logger } from '../support/logger.js';
import { DrainOnCloseReader } from '../transport/drain-on-close-reader.js';
import { InputFlowControl } from '../transport/input-flow-control.js';
import type { ConnectionState, Handler, HandlerResult, RequestContext } from './context.js';
import { invalidRequest, toResponseError } from './errors.js';
import { HANDLERS } from './handler-table.js';
import { connectionApprovals } from './approval-port.js';
import { QuietWork } from './quiet-work.js';
import type { ApprovalPort } from '../tools/approval.js';

/** Everything a connection shares with the rest of the server. */
export type ServerContext = Omit<RequestContext, 'connection'> & { queue: KeyedQueue };

/**
 * One client over one reader/writer pair: the initialize gate, param decoding with the reference's error
 * texts, per-thread ordering through the queue shared by every connection, and notifications filtered by
 * the client's opt-outs. Holds no process-wide state: a server runs any number of these side by side.
 */
export class ClientConnection implements ConnectionState {
  private client: { name: string; version: string; optOut: ReadonlySet<string>; experimentalApi: boolean } | null = null;
  private readonly rpc: MessageConnection;
  private inFlight = 0;
  private readonly quiet = new QuietWork(() => this.inFlight > 0);
  private idle: (() => void)[] = [];
  /** Ids of server→client requests: vscode-jsonrpc numbers them 0, 1, … in the order they are sent (so does the reference). */
  private nextServerRequestId = 0;
  private closed = false;
  /** Server→client requests still waiting: vscode-jsonrpc leaves their promises pending when the input closes. */
  private readonly awaitingClient = new Set<() => void>();
  readonly approvals: ApprovalPort = connectionApprovals(this);

  constructor(
    reader: MessageReader,
    writer: MessageWriter,
    private readonly server: ServerContext,
  ) {
    // Memory bounded by design: input stops being read while too much is pending or unwritten (issue 18).
    const flow = new InputFlowControl(reader, writer);
    const draining = new DrainOnCloseReader(flow);
    this.rpc = createMessageConnection(draining, writer, rpcLogger(server.log), { messageStrategy: flow });
    this.rpc.onRequest((method, params) => {
      this.quiet.noteActivity();
      const answer = this.track(() => this.dispatch(method, params));
      draining.requestDispatched();
      return answer;
    });
    this.rpc.onClose(() => {
      this.closed = true;
      this.quiet.close();
      for (const gone of [...this.awaitingClient]) gone();
    });
    this.rpc.onNotification(() => {
      // `initialized` and any other client notification need no answer (SPEC §2).
    });
  }

  get initialized(): boolean {
    return this.client !== null;
  }

  get clientName(): string {
    return this.client?.name ?? '';
  }

  get clientVersion(): string {
    return this.client?.version ?? '';
  }

  get experimentalApi(): boolean {
    return this.client?.experimentalApi ?? false;
  }

  initialize(clientName: string, optOutNotificationMethods: readonly string[], experimentalApi = false, clientVersion = ''): void {
    if (this.client) throw invalidRequest('Already initialized');
    this.client = { name: clientName, version: clientVersion, optOut: new Set(optOutNotificationMethods), experimentalApi };
  }

  listen(): void {
    this.rpc.listen();
  }

  onClose(listener: () => void): void {
    this.rpc.onClose(listener);
  }

  notify(method: string, params: Record<string, unknown>): void {
    if (this.client?.optOut.has(method)) return;
    const undelivered = (err: unknown): void => this.server.log.debug({ err }, 'notification not delivered');
    try {
      void this.rpc.sendNotification(method, params).catch(undelivered);
    } catch (err) {
      // Once the client's stdout is gone vscode-jsonrpc throws synchronously ("Connection is closed"); turns
      // still ending during shutdown must not turn that into an uncaught exception.
      undelivered(err);
    }
  }

  /**
   * Sends a server→client request to this client and waits for its answer. Never rejects: the outcome says whether
   * the client answered (`result`), answered with an error, or could not answer (connection closed, `signal`
   * aborted: the request is then abandoned without a `$/cancelRequest`, as the reference does).
   */
  async serverRequest(method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<ServerRequestOutcome> {
    if (this.closed || signal.aborted) return { kind: 'gone', requestId: null };
    const requestId = this.nextServerRequestId++;
    let onAbort = (): void => {};
    const aborted = new Promise<ServerRequestOutcome>((resolve) => {
      onAbort = () => resolve({ kind: 'gone', requestId });
      signal.addEventListener('abort', onAbort, { once: true });
      this.awaitingClient.add(onAbort);
    });
    const answered = (async (): Promise<ServerRequestOutcome> => {
      try {
        return { kind: 'result', requestId, result: await this.rpc.sendRequest(method, params) };
      } catch (error) {
        if (error instanceof ResponseError && !this.closed) return { kind: 'error', requestId, message: error.message };
        return { kind: 'gone', requestId };
      }
    })();
    try {
      return await Promise.race([answered, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.awaitingClient.delete(onAbort);
    }
  }

  /** See `QuietWork`: runs `task` once this client pauses, never while one of its requests is handled. */
  whenQuiet(task: () => void): void {
    this.quiet.run(task);
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
      this.quiet.noteActivity();
      if (this.inFlight === 0) {
        // Several waiters are possible (shutdown's drain and the connection's own close).
        for (const wake of this.idle.splice(0)) wake();
      }
    }
  }

  private async dispatch(method: string, rawParams: unknown): Promise<unknown> {
    const cx: RequestContext = { ...this.server, connection: this };
    try {
      const decoded = decodeRequest(method, rawParams);
      if (!decoded.ok) throw invalidRequest(decoded.message);
      const request = decoded.value;
      if (request.method !== 'initialize' && !this.initialized) throw invalidRequest('Not initialized');
      return await this.route(request.method, request.params, cx);
    } catch (error) {
      throw toResponseError(error, this.server.log);
    }
  }

  /** Runs the handler of `method`, behind the requests queued on the same thread. */
  private async route<M extends ImplementedMethod>(method: M, params: MethodParams<M>, cx: RequestContext): Promise<unknown> {
    const handler: Handler<M> = HANDLERS[method];
    // The handler starts synchronously when unqueued: `initialize` opens the gate before the next request is read.
    const run = async () => handler(params, cx);
    const key = queueKeyOf(method, params);
    return this.finish(key === null ? await run() : await this.server.queue.run(key, run));
  }

  /** The response is written before `after` runs: the reply goes out in this microtask chain, `after` on the next macrotask. */
  private finish(out: HandlerResult<unknown>): unknown {
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

/** How a server→client request ended (`requestId` is null when it was never sent). */
export type ServerRequestOutcome =
  | { kind: 'result'; requestId: number; result: unknown }
  | { kind: 'error'; requestId: number; message: string }
  | { kind: 'gone'; requestId: number | null };
