/**
 * A mock Responses API on 127.0.0.1 (random port) for tests: it records every request and answers
 * `POST …/responses` from a handler or a script (SSE streams, HTTP errors, dropped connections, slow
 * streams). Point a provider's `base_url` at `${server.uri}/v1`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { flattenSse, repeatingAssistantEvents, sseFrame, type SseItems } from './mock-sse.js';

export * from './mock-sse.js';

/** One request as the mock received it. */
export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. `/v1/responses`. */
  path: string;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body parsed as JSON, or `null` when it is not JSON. */
  body: unknown;
  rawBody: string;
}

/** How the mock answers one `POST …/responses`. */
export type MockResponse =
  | {
      kind: 'sse';
      events: SseItems;
      headers?: Record<string, string>;
      delayBeforeHeadersMs?: number;
      delayBetweenEventsMs?: number;
      /** Destroy the connection after writing this many events (0 = right after the headers). */
      dropAfterEvents?: number;
      /** Never end the body (for idle-timeout and abort tests); `close()` ends it. */
      keepOpen?: boolean;
    }
  | {
      kind: 'http';
      status: number;
      /** A string is sent as is; anything else as JSON. */
      body?: unknown;
      headers?: Record<string, string>;
      delayBeforeHeadersMs?: number;
    }
  /** Destroy the connection before any answer: the client sees a transport error. */
  | { kind: 'drop' };

/** Answers request number `n` (1-based, counting `POST …/responses` only). */
export type MockHandler = (request: RecordedRequest, n: number) => MockResponse | Promise<MockResponse>;

export interface MockResponsesServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  uri: string;
  /** Every request received (any path), in arrival order; a live array, readable at any time. */
  requests: RecordedRequest[];
  /** Only the `POST …/responses` requests, in arrival order. */
  responsesRequests(): RecordedRequest[];
  /** Resolves once `count` `POST …/responses` requests have arrived; rejects after `timeoutMs`. */
  waitForResponsesRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /**
   * `…/responses` answers still in progress: neither finished nor cut by the client. Drops to 0 once a
   * client that aborted or stopped reading has closed the connection carrying its request. (Counting raw
   * TCP connections would not work: undici's pool may open an idle spare connection at any time.)
   */
  openResponses(): number;
  /** Stops listening, ends pending delays and destroys every open socket. Idempotent. */
  close(): Promise<void>;
}

export function sseResponse(events: SseItems, options: Omit<Extract<MockResponse, { kind: 'sse' }>, 'kind' | 'events'> = {}): MockResponse {
  return { kind: 'sse', events, ...options };
}

export function httpResponse(status: number, body?: unknown, headers?: Record<string, string>): MockResponse {
  return { kind: 'http', status, body, headers };
}

export function dropConnection(): MockResponse {
  return { kind: 'drop' };
}

function isResponsesPost(request: RecordedRequest): boolean {
  return request.method === 'POST' && /\/responses(\?|$)/.test(request.path);
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  let body: unknown = null;
  try {
    body = JSON.parse(rawBody) as unknown;
  } catch {
    body = null;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: req.method ?? '', path: req.url ?? '', headers, body, rawBody };
}

/**
 * Starts the mock. Given a list, request N gets entry N−1; past the end it answers 400 with a body naming
 * the request (400 is never retried, so the test fails with a readable turn error).
 */
export async function createMockResponsesServer(
  handlerOrScript: MockHandler | readonly MockResponse[],
): Promise<MockResponsesServer> {
  const handler: MockHandler =
    typeof handlerOrScript === 'function'
      ? handlerOrScript
      : (_request, n) =>
          handlerOrScript[n - 1] ??
          httpResponse(400, `mock responses server: no scripted response for request #${n}`);
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const pendingWaits = new Set<() => void>();
  const requestWaiters = new Set<() => void>();
  let closed = false;
  let responsesCount = 0;
  let openResponses = 0;

  /** Resolves `true` after `ms`, or `false` at once when the server closes or the client goes away. */
  const wait = (ms: number, res: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      if (ms <= 0 || closed) return resolve(!closed);
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        pendingWaits.delete(cancel);
        res.off('close', cancel);
        resolve(ok);
      };
      const cancel = (): void => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      pendingWaits.add(cancel);
      res.once('close', cancel);
    });

  const write = (res: ServerResponse, text: string): Promise<void> =>
    new Promise((resolve) => {
      if (res.destroyed) return resolve();
      res.write(text, () => resolve());
    });

  const answer = async (response: MockResponse, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (response.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (!(await wait(response.delayBeforeHeadersMs ?? 0, res))) return;
    if (response.kind === 'http') {
      const body = typeof response.body === 'string' ? response.body : response.body === undefined ? '' : JSON.stringify(response.body);
      const contentType = typeof response.body === 'string' ? 'text/plain' : 'application/json';
      res.writeHead(response.status, { 'content-type': contentType, ...response.headers });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...response.headers });
    res.flushHeaders();
    const frames = flattenSse(response.events).map(sseFrame);
    for (const [index, frame] of frames.entries()) {
      if (response.dropAfterEvents === index) {
        req.socket.destroy();
        return;
      }
      if (index > 0 && !(await wait(response.delayBetweenEventsMs ?? 0, res))) return;
      await write(res, frame);
    }
    if (response.dropAfterEvents !== undefined && response.dropAfterEvents >= frames.length) {
      req.socket.destroy();
      return;
    }
    if (!response.keepOpen) res.end();
  };

  const server = createServer((req, res) => {
    void (async () => {
      const request = await record(req);
      requests.push(request);
      if (!isResponsesPost(request)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      responsesCount += 1;
      openResponses += 1;
      res.once('close', () => (openResponses -= 1));
      for (const notify of requestWaiters) notify();
      await answer(await handler(request, responsesCount), req, res);
    })().catch((error: unknown) => {
      if (res.destroyed) return;
      if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`mock responses server handler failed: ${String(error)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const responsesRequests = (): RecordedRequest[] => requests.filter(isResponsesPost);

  return {
    uri: `http://127.0.0.1:${port}`,
    requests,
    responsesRequests,
    openResponses: () => openResponses,
    waitForResponsesRequests: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (responsesRequests().length < count) return false;
          cleanup();
          resolve(responsesRequests());
          return true;
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          requestWaiters.delete(onRequest);
        };
        const onRequest = (): void => void check();
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`mock responses server: ${responsesRequests().length} of ${count} requests after ${timeoutMs}ms`));
        }, timeoutMs);
        requestWaiters.add(onRequest);
        check();
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const cancel of [...pendingWaits]) cancel();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}

/**
 * The reference fixtures' mock: every `POST …/responses` gets one assistant message with `text`
 * (item `msg_mock_N`, response `resp_mock_N`, N = request number; usage 100/0/5/0/105).
 */
export function createMockResponsesServerRepeatingAssistant(text: string): Promise<MockResponsesServer> {
  return createMockResponsesServer((_request, n) => sseResponse(repeatingAssistantEvents(text, n)));
}
