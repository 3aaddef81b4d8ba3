import { describe, expect, onTestFinished, test } from 'vitest';
import {
  createMockResponsesServer,
  createMockResponsesServerRepeatingAssistant,
  evAssistantMessage,
  evCompleted,
  evCreated,
  evFailed,
  httpResponse,
  raw,
  splitText,
  sse,
  sseResponse,
} from '../../../src/testing/mock-responses-server.js';

/** The `data:` payloads of an SSE body, parsed. */
function dataPayloads(body: string): unknown[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as unknown);
}

function post(uri: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${uri}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('builders', () => {
  test('sse() writes one event/data frame per event, raw text as is, nested lists flattened', () => {
    expect(sse([evCreated('r1'), [raw(': hi\n\n')], evFailed('x')])).toBe(
      'event: response.created\ndata: {"type":"response.created","response":{"id":"r1"}}\n\n' +
        ': hi\n\n' +
        'event: response.failed\ndata: {"type":"response.failed","response":{"id":"resp-1","error":{"code":"server_error","message":"x"}}}\n\n',
    );
  });

  test('evAssistantMessage splits the text into the requested number of deltas', () => {
    const events = evAssistantMessage('m1', 'abcdefg', { deltas: 3 });
    expect(events.map((e) => e.type)).toEqual([
      'response.output_item.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_item.done',
    ]);
    expect(events.slice(1, 4).map((e) => e.delta)).toEqual(['abc', 'def', 'g']);
    expect(splitText('👋é', 5)).toEqual(['👋', 'é']);
    expect(splitText('', 3)).toEqual(['']);
  });
});

describe('repeating assistant', () => {
  test('answers request N with msg_mock_N / resp_mock_N and the fixtures usage', async () => {
    const server = await createMockResponsesServerRepeatingAssistant('Done');
    onTestFinished(() => server.close());

    const first = await post(server.uri, { n: 1 });
    const second = await post(server.uri, { n: 2 });

    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/event-stream');
    expect(dataPayloads(await first.text())).toEqual([
      { type: 'response.created', response: { id: 'resp_mock_1' } },
      {
        type: 'response.output_item.added',
        item: { type: 'message', role: 'assistant', id: 'msg_mock_1', status: 'in_progress', content: [] },
      },
      { type: 'response.output_text.delta', item_id: 'msg_mock_1', output_index: 0, content_index: 0, delta: 'Done' },
      {
        type: 'response.output_item.done',
        item: {
          type: 'message',
          role: 'assistant',
          id: 'msg_mock_1',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Done', annotations: [] }],
        },
      },
      {
        type: 'response.completed',
        response: {
          id: 'resp_mock_1',
          usage: {
            input_tokens: 100,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: 5,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: 105,
          },
        },
      },
    ]);
    const ids = dataPayloads(await second.text()).map((p) => JSON.stringify(p));
    expect(ids.some((p) => p.includes('"msg_mock_2"'))).toBe(true);
    expect(ids.some((p) => p.includes('"resp_mock_2"'))).toBe(true);
  });
});

describe('recording and scripting', () => {
  test('records method, path, lower-case headers and JSON body in arrival order', async () => {
    const server = await createMockResponsesServerRepeatingAssistant('ok');
    onTestFinished(() => server.close());

    await (await post(server.uri, { a: 1 }, { 'X-Custom': 'yes' })).text();
    await (await fetch(`${server.uri}/v1/models`)).text();
    await (await post(server.uri, 'not-an-object')).text();

    expect(server.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/v1/responses'],
      ['GET', '/v1/models'],
      ['POST', '/v1/responses'],
    ]);
    expect(server.requests[0]?.body).toEqual({ a: 1 });
    expect(server.requests[0]?.headers['x-custom']).toBe('yes');
    expect(server.requests[2]?.body).toBe('not-an-object');
    expect(server.responsesRequests()).toHaveLength(2);
    expect(await server.waitForResponsesRequests(2)).toHaveLength(2);
  });

  test('a script is replayed in order; past its end the answer is a 400 naming the request', async () => {
    const server = await createMockResponsesServer([
      httpResponse(500, { error: { message: 'boom' } }),
      sseResponse([evCreated('r2'), evCompleted('r2')]),
    ]);
    onTestFinished(() => server.close());

    const first = await post(server.uri, {});
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ error: { message: 'boom' } });
    const second = await post(server.uri, {});
    expect(dataPayloads(await second.text()).map((p) => (p as { type: string }).type)).toEqual([
      'response.created',
      'response.completed',
    ]);
    const third = await post(server.uri, {});
    expect(third.status).toBe(400);
    expect(await third.text()).toBe('mock responses server: no scripted response for request #3');
  });

  test('dropAfterEvents cuts the body after K events', async () => {
    const server = await createMockResponsesServer([
      sseResponse([evCreated('r1'), evCreated('r1'), evCompleted('r1')], { dropAfterEvents: 2 }),
    ]);
    onTestFinished(() => server.close());

    const response = await post(server.uri, {});
    await expect(response.text()).rejects.toThrow();
  });

  test('close() ends a stream that was kept open and stops listening', async () => {
    const server = await createMockResponsesServer([sseResponse([evCreated('r1')], { keepOpen: true })]);
    const response = await post(server.uri, {});
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);

    const pendingRead = reader.read().catch((error: unknown) => error);
    await server.close();

    const outcome = await pendingRead;
    expect(outcome instanceof Error || (outcome as { done: boolean }).done).toBe(true);
    await expect(post(server.uri, {})).rejects.toThrow();
    await server.close();
  });
});
