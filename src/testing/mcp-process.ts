import {
  isError,
  isNotification,
  isResponse,
  isServerRequest,
  type JsonRpcError,
  type JsonRpcErrorBody,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type RequestId,
} from './jsonrpc.js';
import { ReadTimeoutError } from './message-inbox.js';
import { McpProcessCore, type McpProcessOptions, type ReadOptions } from './mcp-process-core.js';
import type {
  ModelListParamsInput,
  ThreadArchiveParamsInput,
  ThreadForkParamsInput,
  ThreadListParamsInput,
  ThreadLoadedListParamsInput,
  ThreadNameSetParamsInput,
  ThreadReadParamsInput,
  ThreadResumeParamsInput,
  ThreadStartParamsInput,
  ThreadUnarchiveParamsInput,
  ThreadUnsubscribeParamsInput,
  TurnInterruptParamsInput,
  TurnSteerParamsInput,
  TurnStartParamsInput,
} from './param-types.js';

/** `initialize` params' `clientInfo` (SPEC §2). */
export interface ClientInfo {
  name: string;
  title: string | null;
  version: string;
}

/** `initialize` params' optional `capabilities`. */
export interface InitializeCapabilities {
  experimentalApi?: boolean;
  optOutNotificationMethods?: string[];
}

/** The `initialize` result (SPEC §2). */
export interface InitializeResult {
  userAgent: string;
  codexHome: string;
  platformFamily: string;
  platformOs: string;
}

export const DEFAULT_CLIENT_INFO: Readonly<ClientInfo> = Object.freeze({ name: 'codex_app_server_ts_tests', title: null, version: '0.0.1' });

/**
 * Test harness driving one app-server process over stdio, after the reference's Rust `McpProcess`.
 *
 * Request helpers send a request with the next integer id (starting at 0) and return that id; read
 * helpers wait (bounded, default 10 s) for a matching message, keeping everything they read past for
 * later calls (see `MessageInbox`). The harness never answers server requests on its own.
 */
export class McpProcess extends McpProcessCore {
  private nextRequestId = 0;

  /** Spawns the server (`node dist/cli.cjs app-server` by default) with `CODEX_HOME` set. */
  static async start(options: McpProcessOptions): Promise<McpProcess> {
    const child = await McpProcessCore.spawnChild(options);
    return new McpProcess(child, options);
  }

  /**
   * Sends `initialize`, waits for its answer, then sends the `initialized` notification.
   * Returns the result; throws if the server answers with an error.
   */
  async initialize(
    clientInfo: ClientInfo = DEFAULT_CLIENT_INFO,
    capabilities?: InitializeCapabilities,
    opts: ReadOptions = {},
  ): Promise<InitializeResult> {
    const params = capabilities === undefined ? { clientInfo } : { clientInfo, capabilities };
    const id = await this.sendRequest('initialize', params);
    const answer = await this.readStreamUntilAnswer(id, opts);
    if (isError(answer)) {
      throw new Error(`initialize failed: ${answer.error.code} ${answer.error.message}\n${this.diagnostics()}`);
    }
    await this.sendNotification('initialized');
    return (answer as JsonRpcResponse<InitializeResult>).result;
  }

  /**
   * Sends a request. Without `id` the next integer id is used; an explicit id (number or string) is
   * sent as given. `params === undefined` omits the `params` key entirely.
   */
  async sendRequest(method: string, params?: unknown, id?: RequestId): Promise<RequestId> {
    const requestId = id ?? this.nextRequestId++;
    await this.sendJson(params === undefined ? { id: requestId, method } : { id: requestId, method, params });
    return requestId;
  }

  /** Sends a client notification (`params` omitted when undefined). */
  async sendNotification(method: string, params?: unknown): Promise<void> {
    await this.sendJson(params === undefined ? { method } : { method, params });
  }

  /** Answers a server→client request. */
  async sendResponse(id: RequestId, result: unknown): Promise<void> {
    await this.sendJson({ id, result });
  }

  /** Answers a server→client request with an error. */
  async sendError(id: RequestId, error: JsonRpcErrorBody): Promise<void> {
    await this.sendJson({ id, error });
  }

  sendThreadStartRequest(params: ThreadStartParamsInput = {}): Promise<number> {
    return this.sendTyped('thread/start', params);
  }
  sendThreadResumeRequest(params: ThreadResumeParamsInput): Promise<number> {
    return this.sendTyped('thread/resume', params);
  }
  sendThreadForkRequest(params: ThreadForkParamsInput): Promise<number> {
    return this.sendTyped('thread/fork', params);
  }
  sendThreadArchiveRequest(params: ThreadArchiveParamsInput): Promise<number> {
    return this.sendTyped('thread/archive', params);
  }
  sendThreadUnarchiveRequest(params: ThreadUnarchiveParamsInput): Promise<number> {
    return this.sendTyped('thread/unarchive', params);
  }
  sendThreadListRequest(params: ThreadListParamsInput = {}): Promise<number> {
    return this.sendTyped('thread/list', params);
  }
  sendThreadReadRequest(params: ThreadReadParamsInput): Promise<number> {
    return this.sendTyped('thread/read', params);
  }
  sendThreadLoadedListRequest(params: ThreadLoadedListParamsInput = {}): Promise<number> {
    return this.sendTyped('thread/loaded/list', params);
  }
  sendThreadUnsubscribeRequest(params: ThreadUnsubscribeParamsInput): Promise<number> {
    return this.sendTyped('thread/unsubscribe', params);
  }
  sendThreadNameSetRequest(params: ThreadNameSetParamsInput): Promise<number> {
    return this.sendTyped('thread/name/set', params);
  }
  sendTurnStartRequest(params: TurnStartParamsInput): Promise<number> {
    return this.sendTyped('turn/start', params);
  }
  sendTurnInterruptRequest(params: TurnInterruptParamsInput): Promise<number> {
    return this.sendTyped('turn/interrupt', params);
  }
  sendTurnSteerRequest(params: TurnSteerParamsInput): Promise<number> {
    return this.sendTyped('turn/steer', params);
  }
  sendModelListRequest(params: ModelListParamsInput = {}): Promise<number> {
    return this.sendTyped('model/list', params);
  }

  /** Reads until the response to `id`; throws if the answer is an error instead. */
  async readStreamUntilResponseMessage<R = unknown>(id: RequestId, opts: ReadOptions = {}): Promise<JsonRpcResponse<R>> {
    const answer = await this.readStreamUntilAnswer(id, opts);
    if (isError(answer)) {
      throw new Error(
        `expected a response to request ${JSON.stringify(id)}, got error ${answer.error.code}: ${answer.error.message}`,
      );
    }
    return answer as JsonRpcResponse<R>;
  }

  /** Reads until the error answer to `id`; throws if the answer is a success instead. */
  async readStreamUntilErrorMessage(id: RequestId, opts: ReadOptions = {}): Promise<JsonRpcError> {
    const answer = await this.readStreamUntilAnswer(id, opts);
    if (!isError(answer)) {
      throw new Error(`expected an error for request ${JSON.stringify(id)}, got result ${JSON.stringify(answer.result)}`);
    }
    return answer;
  }

  /** Reads until a notification with this method. */
  async readStreamUntilNotificationMessage<P = unknown>(method: string, opts: ReadOptions = {}): Promise<JsonRpcNotification<P>> {
    const message = await this.inbox.takeMatching(
      (m) => isNotification(m) && m.method === method,
      `notification ${method}`,
      opts.timeoutMs ?? this.readTimeoutMs,
    );
    return message as JsonRpcNotification<P>;
  }

  /**
   * Passes only when no `method` notification arrives within `timeoutMs` while the server stays up: any
   * other outcome (the notification, the server exiting, stdout closing) throws.
   */
  async expectNoNotification(method: string, opts: ReadOptions = {}): Promise<void> {
    let arrived: JsonRpcNotification;
    try {
      arrived = await this.readStreamUntilNotificationMessage(method, opts);
    } catch (error) {
      if (error instanceof ReadTimeoutError) return;
      throw error;
    }
    throw new Error(`expected no ${method} notification, got ${JSON.stringify(arrived)}\n${this.diagnostics()}`);
  }

  /** Reads until a server→client request (any method). */
  async readStreamUntilRequestMessage(opts: ReadOptions = {}): Promise<JsonRpcRequest> {
    const message = await this.inbox.takeMatching(isServerRequest, 'a server request', opts.timeoutMs ?? this.readTimeoutMs);
    return message as JsonRpcRequest;
  }

  /**
   * Reads until a server→client request with this method (e.g. `item/commandExecution/requestApproval`). With a
   * `messageChecker` its params were checked against the reference schema on arrival (see `schemaProblems()`);
   * answer it with {@link sendResponse} or {@link sendError}.
   */
  async readStreamUntilServerRequest<P = Record<string, unknown>>(method: string, opts: ReadOptions = {}): Promise<JsonRpcRequest & { params: P }> {
    const message = await this.inbox.takeMatching(
      (m) => isServerRequest(m) && m.method === method,
      `server request ${method}`,
      opts.timeoutMs ?? this.readTimeoutMs,
    );
    return message as JsonRpcRequest & { params: P };
  }

  /** Reads until any message satisfying `predicate` (same buffering rules as the other reads). */
  readStreamUntil(predicate: (m: JsonRpcMessage) => boolean, what = 'a matching message', opts: ReadOptions = {}): Promise<JsonRpcMessage> {
    return this.inbox.takeMatching(predicate, what, opts.timeoutMs ?? this.readTimeoutMs);
  }

  private async readStreamUntilAnswer(id: RequestId, opts: ReadOptions): Promise<JsonRpcResponse | JsonRpcError> {
    const message = await this.inbox.takeMatching(
      (m) => (isResponse(m) || isError(m)) && m.id === id,
      `the answer to request ${JSON.stringify(id)}`,
      opts.timeoutMs ?? this.readTimeoutMs,
    );
    return message as JsonRpcResponse | JsonRpcError;
  }

  private async sendTyped(method: string, params: unknown): Promise<number> {
    const id = this.nextRequestId++;
    await this.sendJson({ id, method, params });
    return id;
  }
}
