import { createServer } from 'node:net';
import { describe, expect, onTestFinished, test } from 'vitest';
import { ModelError, type ModelErrorInfo } from '../../../src/model/types.js';
import {
  createMockResponsesServer,
  evAssistantMessage,
  evCreated,
  evFailed,
  httpResponse,
  sseResponse,
  type MockResponse,
} from '../../../src/testing/mock-responses-server.js';
import { collect, modelRequest, provider, testClient } from './helpers.js';

/** Runs one turn against a mock that answers every request with `response`; returns the final error info. */
async function finalError(response: MockResponse, overrides: Parameters<typeof provider>[1] = {}) {
  const server = await createMockResponsesServer(() => response);
  onTestFinished(() => server.close());
  const { client } = testClient(provider(server.uri, overrides));
  const { error } = await collect(client.stream(modelRequest(), new AbortController().signal));
  expect(error).toBeInstanceOf(ModelError);
  return { info: (error as ModelError).info, server };
}

function errorInfo(message: string, codexErrorInfo: ModelErrorInfo['codexErrorInfo'], afterHttpOk: boolean): ModelErrorInfo {
  return { message, codexErrorInfo, additionalDetails: null, afterHttpOk };
}

/** A port nothing listens on: bind, read the port, release it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('HTTP failures (SPEC §6 table)', () => {
  test('500 → high-demand text (U+2019), internalServerError', async () => {
    const { info, server } = await finalError(httpResponse(500, { error: { message: 'boom' } }));
    expect(info).toEqual(
      errorInfo('We\u2019re currently experiencing high demand, which may cause temporary errors.', 'internalServerError', false),
    );
    expect(server.requests).toHaveLength(1);
  });

  test('400 → the raw body, other', async () => {
    const body = '{"error":{"message":"Invalid input","type":"invalid_request_error"}}';
    const { info } = await finalError(httpResponse(400, body));
    expect(info).toEqual(errorInfo(body, 'other', false));
  });

  test('401 → unexpected status with the body message and the request url', async () => {
    const { info, server } = await finalError(httpResponse(401, { error: { message: 'Incorrect API key provided' } }));
    expect(info).toEqual(
      errorInfo(
        `unexpected status 401 Unauthorized: Incorrect API key provided, url: ${server.uri}/v1/responses`,
        { httpConnectionFailed: { httpStatusCode: 401 } },
        false,
      ),
    );
  });

  test('429 → exceeded retry limit, responseTooManyFailedAttempts', async () => {
    const { info } = await finalError(httpResponse(429, { error: { message: 'Rate limit reached' } }));
    expect(info).toEqual(
      errorInfo('exceeded retry limit, last status: 429 Too Many Requests', { responseTooManyFailedAttempts: { httpStatusCode: 429 } }, false),
    );
  });

  test('429 with a request id names it', async () => {
    const { info } = await finalError(httpResponse(429, 'slow down', { 'x-request-id': 'req_123' }));
    expect(info.message).toBe('exceeded retry limit, last status: 429 Too Many Requests, request id: req_123');
  });

  test('another status with a non-JSON body shows the trimmed body', async () => {
    const { info, server } = await finalError(httpResponse(404, '  no such route \n'));
    expect(info).toEqual(
      errorInfo(
        `unexpected status 404 Not Found: no such route, url: ${server.uri}/v1/responses`,
        { httpConnectionFailed: { httpStatusCode: 404 } },
        false,
      ),
    );
  });

  test('503 with server_is_overloaded → serverOverloaded', async () => {
    const { info } = await finalError(httpResponse(503, { error: { code: 'server_is_overloaded', message: 'busy' } }));
    expect(info).toEqual(errorInfo('Selected model is at capacity. Please try a different model.', 'serverOverloaded', false));
  });

  test('connection refused → stream disconnected: error sending request for url', async () => {
    const port = await closedPort();
    const { client } = testClient(provider(`http://127.0.0.1:${port}`));
    const { error } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect((error as ModelError).info).toEqual(
      errorInfo(
        `stream disconnected before completion: error sending request for url (http://127.0.0.1:${port}/v1/responses)`,
        'other',
        false,
      ),
    );
  });

  test('connection dropped before any answer → the same transport text', async () => {
    const { info, server } = await finalError({ kind: 'drop' });
    expect(info.message).toBe(`stream disconnected before completion: error sending request for url (${server.uri}/v1/responses)`);
  });
});

describe('stream failures after HTTP 200', () => {
  test('connection dropped mid-stream → error decoding response body', async () => {
    const { info } = await finalError(
      sseResponse([evCreated('r1'), evAssistantMessage('m1', 'partial text')], { dropAfterEvents: 2 }),
    );
    expect(info).toEqual(
      errorInfo(
        'stream disconnected before completion: Transport error: network error: error decoding response body',
        'other',
        true,
      ),
    );
  });

  test('response.failed → its error message', async () => {
    const { info } = await finalError(sseResponse([evCreated('r1'), evFailed('The model crashed', 'server_error')]));
    expect(info).toEqual(errorInfo('stream disconnected before completion: The model crashed', 'other', true));
  });

  test('response.failed with context_length_exceeded is final even with retries configured', async () => {
    const { info, server } = await finalError(
      sseResponse([evFailed('too long', 'context_length_exceeded')]),
      { requestMaxRetries: 2, streamMaxRetries: 2 },
    );
    expect(info).toEqual(
      errorInfo(
        "Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying.",
        'contextWindowExceeded',
        true,
      ),
    );
    expect(server.requests).toHaveLength(1);
  });

  test('silence longer than stream_idle_timeout_ms → idle timeout', async () => {
    const { info } = await finalError(sseResponse([evCreated('r1')], { keepOpen: true }), { streamIdleTimeoutMs: 150 });
    expect(info).toEqual(errorInfo('stream disconnected before completion: idle timeout waiting for SSE', 'other', true));
  });

  test('a slow but steady stream is not an idle timeout', async () => {
    const server = await createMockResponsesServer([
      sseResponse(
        [evCreated('r1'), evAssistantMessage('m1', 'abcdef', { deltas: 3 }), { type: 'response.completed', response: { id: 'r1' } }],
        { delayBetweenEventsMs: 60, delayBeforeHeadersMs: 400 },
      ),
    ]);
    onTestFinished(() => server.close());
    const { client } = testClient(provider(server.uri, { streamIdleTimeoutMs: 300 }));
    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(error).toBeNull();
    expect(events.at(-1)).toEqual({ type: 'completed', responseId: 'r1', usage: null });
  });
});
