import { describe, expect, onTestFinished, test } from 'vitest';
import { backoffMs } from '../../../src/model/retry.js';
import { ModelError, type ModelEvent } from '../../../src/model/types.js';
import {
  createMockResponsesServer,
  evAssistantMessage,
  evCreated,
  evFailed,
  httpResponse,
  repeatingAssistantEvents,
  sseResponse,
  type MockResponse,
} from '../../../src/testing/mock-responses-server.js';
import { collect, modelRequest, provider, testClient } from './helpers.js';

const HIGH_DEMAND = 'We\u2019re currently experiencing high demand, which may cause temporary errors.';

async function server(script: MockResponse[] | ((n: number) => MockResponse)) {
  const mock = await createMockResponsesServer(Array.isArray(script) ? script : (_r, n) => script(n));
  onTestFinished(() => mock.close());
  return mock;
}

function retrying(attempt: number, max: number, details: string, afterHttpOk: boolean, httpStatusCode: number | null = null): ModelEvent {
  return {
    type: 'retrying',
    attempt,
    maxAttempts: max,
    error: {
      message: `Reconnecting... ${attempt}/${max}`,
      codexErrorInfo: { responseStreamDisconnected: { httpStatusCode } },
      additionalDetails: details,
      afterHttpOk,
    },
  };
}

describe('HTTP-level retries (request_max_retries)', () => {
  test('with retries 0 a 500 is sent once', async () => {
    const mock = await server(() => httpResponse(500, 'boom'));
    const { client, sleeps } = testClient(provider(mock.uri));
    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(mock.requests).toHaveLength(1);
    expect(events).toEqual([]);
    expect(sleeps).toEqual([]);
    expect((error as ModelError).info.message).toBe(HIGH_DEMAND);
  });

  test('with retries 2 a 500 is sent 3 times, silently, with 200/400 ms backoff', async () => {
    const mock = await server(() => httpResponse(500, 'boom'));
    const { client, sleeps } = testClient(provider(mock.uri, { requestMaxRetries: 2 }));
    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(mock.requests).toHaveLength(3);
    expect(events).toEqual([]);
    expect(sleeps).toEqual([200, 400]);
    expect((error as ModelError).info.codexErrorInfo).toBe('internalServerError');
  });

  test('a transient 500 then success completes without any retrying event', async () => {
    const mock = await server([httpResponse(500, 'boom'), sseResponse(repeatingAssistantEvents('Done', 1))]);
    const { client } = testClient(provider(mock.uri, { requestMaxRetries: 1 }));
    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(error).toBeNull();
    expect(mock.requests).toHaveLength(2);
    expect(events.map((e) => e.type)).toEqual(['created', 'outputItemAdded', 'outputTextDelta', 'outputItemDone', 'completed']);
  });

  test('429 is never retried, whatever the configuration', async () => {
    const mock = await server(() => httpResponse(429, { error: { message: 'Rate limit' } }));
    const { client } = testClient(provider(mock.uri, { requestMaxRetries: 2, streamMaxRetries: 2 }));
    const { events } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(mock.requests).toHaveLength(1);
    expect(events).toEqual([]);
  });

  test('400 and 401 are not retried either', async () => {
    for (const status of [400, 401]) {
      const mock = await server(() => httpResponse(status, { error: { message: 'no' } }));
      const { client } = testClient(provider(mock.uri, { requestMaxRetries: 2, streamMaxRetries: 2 }));
      await collect(client.stream(modelRequest(), new AbortController().signal));
      expect(mock.requests, `status ${status}`).toHaveLength(1);
    }
  });
});

describe('whole-request retries (stream_max_retries)', () => {
  test('with stream retries 2 a 500 is sent 3 times, each retry announced', async () => {
    const mock = await server(() => httpResponse(500, 'boom'));
    const { client, sleeps } = testClient(provider(mock.uri, { streamMaxRetries: 2 }));
    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(mock.requests).toHaveLength(3);
    expect(events).toEqual([retrying(1, 2, HIGH_DEMAND, false), retrying(2, 2, HIGH_DEMAND, false)]);
    expect(sleeps).toEqual([200, 400]);
    expect((error as ModelError).info).toEqual({
      message: HIGH_DEMAND,
      codexErrorInfo: 'internalServerError',
      additionalDetails: null,
      afterHttpOk: false,
    });
  });

  test('both levels multiply: (1 + request retries) × (1 + stream retries) requests, never more', async () => {
    const mock = await server(() => httpResponse(502, 'bad gateway'));
    const { client } = testClient(provider(mock.uri, { requestMaxRetries: 1, streamMaxRetries: 2 }));
    const { events } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(mock.requests).toHaveLength(6);
    const details = `unexpected status 502 Bad Gateway: bad gateway, url: ${mock.uri}/v1/responses`;
    expect(events).toEqual([retrying(1, 2, details, false, 502), retrying(2, 2, details, false, 502)]);
  });

  test('a stream cut after HTTP 200 is retried; output of the abandoned attempt came first', async () => {
    const mock = await server([
      sseResponse([evCreated('r1'), evAssistantMessage('m1', 'half', { deltas: 1 })], { dropAfterEvents: 3 }),
      sseResponse(repeatingAssistantEvents('Done', 2)),
    ]);
    const { client, sleeps } = testClient(provider(mock.uri, { streamMaxRetries: 2 }));
    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(error).toBeNull();
    expect(mock.requests).toHaveLength(2);
    expect(sleeps).toEqual([200]);
    expect(events.map((e) => e.type)).toEqual([
      'created',
      'outputItemAdded',
      'outputTextDelta',
      'retrying',
      'created',
      'outputItemAdded',
      'outputTextDelta',
      'outputItemDone',
      'completed',
    ]);
    expect(events[3]).toEqual(
      retrying(1, 2, 'stream disconnected before completion: Transport error: network error: error decoding response body', true),
    );
  });

  test('stream retries 0: a response.failed is final at once', async () => {
    const mock = await server(() => sseResponse([evFailed('oops')]));
    const { client } = testClient(provider(mock.uri, { requestMaxRetries: 3 }));
    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(mock.requests).toHaveLength(1);
    expect(events).toEqual([]);
    expect((error as ModelError).info.message).toBe('stream disconnected before completion: oops');
  });

  test('a rate-limit response.failed waits the delay it asks for', async () => {
    const mock = await server([
      sseResponse([evFailed('Rate limit reached. Please try again in 1.5s.', 'rate_limit_exceeded')]),
      sseResponse(repeatingAssistantEvents('Done', 2)),
    ]);
    const { client, sleeps } = testClient(provider(mock.uri, { streamMaxRetries: 1 }));
    const { error } = await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(error).toBeNull();
    expect(sleeps).toEqual([1500]);
  });

  test('backoff doubles from 200 ms with ±10 % jitter and is capped at 5 s for whole-request retries', async () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, () => 0.5))).toEqual([200, 400, 800, 1600]);
    expect(backoffMs(1, () => 0)).toBe(180);
    expect(backoffMs(1, () => 0.999_999)).toBe(219);
    const mock = await server(() => httpResponse(500, 'boom'));
    const { client, sleeps } = testClient(provider(mock.uri, { streamMaxRetries: 7 }));
    await collect(client.stream(modelRequest(), new AbortController().signal));
    expect(sleeps).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
  });
});
