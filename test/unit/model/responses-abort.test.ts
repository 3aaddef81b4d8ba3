import { describe, expect, onTestFinished, test, vi } from 'vitest';
import { createResponsesClient } from '../../../src/model/responses-client.js';
import { defaultSleep } from '../../../src/model/retry.js';
import type { ModelEvent } from '../../../src/model/types.js';
import { silentLogger } from '../../../src/support/logger.js';
import {
  createMockResponsesServer,
  evAssistantMessage,
  evCreated,
  httpResponse,
  sseResponse,
  type MockResponse,
} from '../../../src/testing/mock-responses-server.js';
import { modelRequest, provider, testClient } from './helpers.js';

/** Fails the test if `promise` has not settled within `ms` (a hang guard, not a timing measurement). */
async function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await settlesWithin(promise, 2_000);
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function server(script: MockResponse[]) {
  const mock = await createMockResponsesServer(script);
  onTestFinished(() => mock.close());
  return mock;
}

function expectAbortError(error: unknown): void {
  expect(error).toBeInstanceOf(DOMException);
  expect((error as DOMException).name).toBe('AbortError');
}

describe('abort', () => {
  test('aborting while waiting for the next event rejects at once and releases the socket', async () => {
    const mock = await server([sseResponse([evCreated('r1'), evAssistantMessage('m1', 'x', { deltas: 1 })], { keepOpen: true })]);
    const { client } = testClient(provider(mock.uri));
    const controller = new AbortController();
    const iterator = client.stream(modelRequest(), controller.signal)[Symbol.asyncIterator]();

    const seen: ModelEvent[] = [];
    for (let i = 0; i < 5; i += 1) {
      const next = await settlesWithin(iterator.next(), 2_000);
      if (!next.done) seen.push(next.value);
    }
    expect(seen.map((e) => e.type)).toEqual(['rateLimits', 'created', 'outputItemAdded', 'outputTextDelta', 'outputItemDone']);
    const pending = iterator.next();
    controller.abort();

    expectAbortError(await rejection(pending));
    await vi.waitFor(() => expect(mock.openResponses()).toBe(0));
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  test('aborting before the headers arrive rejects at once', async () => {
    const mock = await server([sseResponse([evCreated('r1')], { delayBeforeHeadersMs: 60_000 })]);
    const { client } = testClient(provider(mock.uri));
    const controller = new AbortController();
    const iterator = client.stream(modelRequest(), controller.signal)[Symbol.asyncIterator]();

    const pending = iterator.next();
    await mock.waitForResponsesRequests(1);
    controller.abort();

    expectAbortError(await rejection(pending));
    await vi.waitFor(() => expect(mock.openResponses()).toBe(0));
  });

  test('aborting during the backoff before a retry rejects at once, with no further request', async () => {
    const mock = await server([httpResponse(500, 'boom'), httpResponse(500, 'boom')]);
    const client = createResponsesClient(provider(mock.uri, { streamMaxRetries: 1 }), {
      env: {},
      log: silentLogger(),
      sleep: (_ms, signal) => defaultSleep(60_000, signal),
    });
    const controller = new AbortController();
    const iterator = client.stream(modelRequest(), controller.signal)[Symbol.asyncIterator]();

    const first = await settlesWithin(iterator.next(), 2_000);
    expect(first.value).toMatchObject({ type: 'retrying', attempt: 1 });
    const pending = iterator.next();
    controller.abort();

    expectAbortError(await rejection(pending));
    expect(mock.responsesRequests()).toHaveLength(1);
  });

  test('an already aborted signal makes no request', async () => {
    const mock = await server([]);
    const { client } = testClient(provider(mock.uri));
    const controller = new AbortController();
    controller.abort();

    expectAbortError(await rejection(client.stream(modelRequest(), controller.signal)[Symbol.asyncIterator]().next()));
    expect(mock.requests).toEqual([]);
  });

  test('a consumer that stops early releases the connection', async () => {
    const mock = await server([sseResponse([evCreated('r1'), evCreated('r1')], { keepOpen: true })]);
    const { client } = testClient(provider(mock.uri));

    for await (const event of client.stream(modelRequest(), new AbortController().signal)) {
      expect(event.type).toBe('rateLimits');
      break;
    }

    await vi.waitFor(() => expect(mock.openResponses()).toBe(0));
  });
});
