import { describe, expect, onTestFinished, test } from 'vitest';
import { ModelError, type ModelEvent } from '../../../src/model/types.js';
import { createResponsesClient } from '../../../src/model/responses-client.js';
import { silentLogger } from '../../../src/support/logger.js';
import {
  createMockResponsesServer,
  createMockResponsesServerRepeatingAssistant,
  evAssistantMessage,
  evCompleted,
  evCreated,
  evFunctionCall,
  evReasoning,
  raw,
  sseResponse,
} from '../../../src/testing/mock-responses-server.js';
import { INSTALLATION_ID, THREAD_ID, TURN_ID, collect, modelRequest, provider, testClient } from './helpers.js';

async function repeatingServer(text = 'Done') {
  const server = await createMockResponsesServerRepeatingAssistant(text);
  onTestFinished(() => server.close());
  return server;
}

const TURN_METADATA = {
  installation_id: INSTALLATION_ID,
  session_id: THREAD_ID,
  thread_id: THREAD_ID,
  turn_id: TURN_ID,
  window_id: `${THREAD_ID}:0`,
  request_kind: 'turn',
};

describe('request shape', () => {
  test('POSTs {base_url}/responses with the reference headers, bearer token from env_key', async () => {
    const server = await repeatingServer();
    const { client } = testClient(provider(server.uri, { envKey: 'MOCK_KEY' }), { MOCK_KEY: 'sk-test' });

    const { error } = await collect(client.stream(modelRequest(), new AbortController().signal));

    expect(error).toBeNull();
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/responses');
    expect(request?.headers).toMatchObject({
      accept: 'text/event-stream',
      'content-type': 'application/json',
      originator: 'fixture_client',
      'user-agent': 'fixture_client/0.169.0 (Linux; x86_64) test',
      'session-id': THREAD_ID,
      'thread-id': THREAD_ID,
      'x-client-request-id': THREAD_ID,
      'x-codex-window-id': `${THREAD_ID}:0`,
      authorization: 'Bearer sk-test',
    });
    expect(JSON.parse(request?.headers['x-codex-turn-metadata'] ?? 'null')).toEqual(TURN_METADATA);
    expect(request?.headers['content-encoding']).toBeUndefined();
  });

  test('the body carries the reference keys, in the reference order', async () => {
    const server = await repeatingServer();
    const { client } = testClient(provider(server.uri));
    const request = modelRequest({ tools: [{ type: 'function', name: 'noop', parameters: { type: 'object' } }] });

    await collect(client.stream(request, new AbortController().signal));

    const body = server.requests[0]?.body as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'model',
      'input',
      'tools',
      'tool_choice',
      'parallel_tool_calls',
      'reasoning',
      'store',
      'stream',
      'include',
      'prompt_cache_key',
      'client_metadata',
    ]);
    expect(body).toEqual({
      model: 'mock-model',
      input: request.input,
      tools: request.tools,
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning: { summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: THREAD_ID,
      client_metadata: {
        'x-codex-installation-id': INSTALLATION_ID,
        session_id: THREAD_ID,
        thread_id: THREAD_ID,
        turn_id: TURN_ID,
        'x-codex-window-id': `${THREAD_ID}:0`,
        'x-codex-turn-metadata': JSON.stringify(TURN_METADATA),
      },
    });
  });

  test('a provider without env_key sends no Authorization header', async () => {
    const server = await repeatingServer();
    const { client } = testClient(provider(server.uri), { OPENAI_API_KEY: 'ignored' });

    await collect(client.stream(modelRequest(), new AbortController().signal));

    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  test('a missing env_key variable fails with the reference text and makes no request', async () => {
    let fetches = 0;
    const client = createResponsesClient(provider('http://127.0.0.1:9', { envKey: 'MOCK_KEY' }), {
      env: { OTHER: 'x' },
      log: silentLogger(),
      fetch: () => {
        fetches += 1;
        return Promise.reject(new Error('must not be called'));
      },
    });

    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));

    expect(events).toEqual([]);
    expect(fetches).toBe(0);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).info).toEqual({
      message: 'Missing environment variable: `MOCK_KEY`.',
      codexErrorInfo: 'other',
      additionalDetails: null,
      afterHttpOk: false,
    });
  });
});

describe('event mapping', () => {
  test('a normal stream maps to created, item added, delta, item done, completed', async () => {
    const server = await repeatingServer('Done');
    const { client } = testClient(provider(server.uri));

    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));

    expect(error).toBeNull();
    expect(events).toEqual<ModelEvent[]>([
      { type: 'created', responseId: 'resp_mock_1' },
      {
        type: 'outputItemAdded',
        item: { type: 'message', role: 'assistant', id: 'msg_mock_1', status: 'in_progress', content: [] },
      },
      { type: 'outputTextDelta', itemId: 'msg_mock_1', delta: 'Done' },
      {
        type: 'outputItemDone',
        item: {
          type: 'message',
          role: 'assistant',
          id: 'msg_mock_1',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Done', annotations: [] }],
        },
      },
      {
        type: 'completed',
        responseId: 'resp_mock_1',
        usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0, totalTokens: 105 },
      },
    ]);
  });

  test('text deltas concatenate to the final message text, multi-byte characters included', async () => {
    const text = 'Héllo, wörld 👋 — done';
    const server = await createMockResponsesServer([
      sseResponse([evCreated('r1'), evAssistantMessage('m1', text, { deltas: 5 }), evCompleted('r1')]),
    ]);
    onTestFinished(() => server.close());
    const { client } = testClient(provider(server.uri));

    const { events } = await collect(client.stream(modelRequest(), new AbortController().signal));

    const deltas = events.flatMap((e) => (e.type === 'outputTextDelta' ? [e] : []));
    expect(deltas).toHaveLength(5);
    expect(deltas.every((d) => d.itemId === 'm1')).toBe(true);
    expect(deltas.map((d) => d.delta).join('')).toBe(text);
  });

  test('reasoning summaries and function calls map to their events', async () => {
    const server = await createMockResponsesServer([
      sseResponse([
        evCreated('r1'),
        evReasoning('rs1', ['Thinking', 'More']),
        evFunctionCall('call_1', 'exec_command', '{"cmd":"ls"}'),
        evCompleted('r1'),
      ]),
    ]);
    onTestFinished(() => server.close());
    const { client } = testClient(provider(server.uri));

    const { events } = await collect(client.stream(modelRequest(), new AbortController().signal));

    expect(events.slice(1, -1)).toEqual<ModelEvent[]>([
      { type: 'outputItemAdded', item: { type: 'reasoning', id: 'rs1', summary: [] } },
      { type: 'reasoningSummaryPartAdded', itemId: 'rs1', summaryIndex: 0 },
      { type: 'reasoningSummaryDelta', itemId: 'rs1', summaryIndex: 0, delta: 'Thinking' },
      { type: 'reasoningSummaryPartAdded', itemId: 'rs1', summaryIndex: 1 },
      { type: 'reasoningSummaryDelta', itemId: 'rs1', summaryIndex: 1, delta: 'More' },
      {
        type: 'outputItemDone',
        item: {
          type: 'reasoning',
          id: 'rs1',
          summary: [
            { type: 'summary_text', text: 'Thinking' },
            { type: 'summary_text', text: 'More' },
          ],
        },
      },
      {
        type: 'outputItemDone',
        item: { type: 'function_call', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
      },
    ]);
  });

  test('malformed data, comments, typeless and unknown events are skipped', async () => {
    const server = await createMockResponsesServer([
      sseResponse([
        raw('data: {not json\n\n'),
        raw(': keep-alive comment\n\n'),
        raw('data: {"no_type":true}\n\n'),
        raw('data: [1,2,3]\n\n'),
        { type: 'response.in_progress', response: { id: 'r1' } },
        { type: 'response.output_text.delta' },
        evCreated('r1'),
        raw('event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":"m1","delta":"ok"}\r\n\r\n'),
        evCompleted('r1'),
      ]),
    ]);
    onTestFinished(() => server.close());
    const { client } = testClient(provider(server.uri));

    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));

    expect(error).toBeNull();
    expect(events.map((e) => e.type)).toEqual(['created', 'outputTextDelta', 'completed']);
  });

  test('a body that ends without response.completed fails after yielding what arrived', async () => {
    const server = await createMockResponsesServer([
      sseResponse([evCreated('r1'), evAssistantMessage('m1', 'partial', { deltas: 1 })]),
    ]);
    onTestFinished(() => server.close());
    const { client } = testClient(provider(server.uri));

    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));

    expect(events.map((e) => e.type)).toEqual(['created', 'outputItemAdded', 'outputTextDelta', 'outputItemDone']);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).info).toEqual({
      message: 'stream disconnected before completion: stream closed before response.completed',
      codexErrorInfo: 'other',
      additionalDetails: null,
      afterHttpOk: true,
    });
  });

  test('usage missing or malformed still completes, with usage null', async () => {
    const server = await createMockResponsesServer([
      sseResponse([{ type: 'response.completed', response: { id: 'r1', usage: { input_tokens: 'x' } } }]),
    ]);
    onTestFinished(() => server.close());
    const { client } = testClient(provider(server.uri));

    const { events, error } = await collect(client.stream(modelRequest(), new AbortController().signal));

    expect(error).toBeNull();
    expect(events).toEqual([{ type: 'completed', responseId: 'r1', usage: null }]);
  });
});
