import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  createConfigToml,
  dropConnection,
  evAssistantMessage,
  evCompleted,
  evCreated,
  evFailed,
  evMessageAdded,
  evOutputTextDelta,
  httpResponse,
  raw,
  sseResponse,
  type MockResponse,
} from '../../src/testing/index.js';
import { request, runTurn, setupEnv, shape, spawnServer, startThread, textInput, type Json } from './helpers.js';

const ok = (n: number): MockResponse => sseResponse([evCreated(`r${n}`), evAssistantMessage(`m${n}`, `answer ${n}`), evCompleted(`r${n}`)]);

function lastTurn(messages: Awaited<ReturnType<typeof runTurn>>): Json {
  return (messages.at(-1) as { params: Json }).params['turn'];
}

function errorNotes(messages: Awaited<ReturnType<typeof runTurn>>): Json[] {
  return messages.filter((m) => 'method' in m && m.method === 'error').map((m) => (m as { params: Json }).params);
}

describe('model failures end the turn as failed and leave the thread usable', () => {
  const cases: { name: string; first: MockResponse; message: string | RegExp; info: unknown }[] = [
    { name: 'HTTP 400', first: httpResponse(400, 'bad request body'), message: 'bad request body', info: 'other' },
    { name: 'HTTP 401', first: httpResponse(401, { error: { message: 'no key' } }), message: /^unexpected status 401 Unauthorized: no key, url: http:\/\/127\.0\.0\.1:\d+\/v1\/responses$/, info: { httpConnectionFailed: { httpStatusCode: 401 } } },
    { name: 'HTTP 429', first: httpResponse(429, { error: { message: 'slow down' } }), message: 'exceeded retry limit, last status: 429 Too Many Requests', info: { responseTooManyFailedAttempts: { httpStatusCode: 429 } } },
    { name: 'stream without response.completed', first: sseResponse([evCreated('r1'), evMessageAdded('m1'), evOutputTextDelta('m1', 'par')]), message: 'stream disconnected before completion: stream closed before response.completed', info: 'other' },
    { name: 'malformed SSE data', first: sseResponse([evCreated('r1'), raw('data: {not json\n\n'), raw('data: [1,2\n\n')]), message: 'stream disconnected before completion: stream closed before response.completed', info: 'other' },
    { name: 'response.failed', first: sseResponse([evCreated('r1'), evFailed('the model broke')]), message: 'stream disconnected before completion: the model broke', info: 'other' },
    { name: 'connection dropped mid-stream', first: sseResponse([evCreated('r1'), evMessageAdded('m1'), evOutputTextDelta('m1', 'x')], { dropAfterEvents: 3 }), message: /^stream disconnected before completion: /, info: 'other' },
    { name: 'connection dropped before any answer', first: dropConnection(), message: /^stream disconnected before completion: /, info: 'other' },
  ];

  test.each(cases)('$name', async ({ first, message, info }) => {
    const { home, mock } = await setupEnv([first, ok(2)]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const messages = await runTurn(mcp, thread['id'], 'hi');
    const turn = lastTurn(messages);
    expect(turn['status']).toBe('failed');
    expect(turn['items']).toEqual([]);
    expect(turn['error']['message']).toMatch(message instanceof RegExp ? message : new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(turn['error']['codexErrorInfo']).toEqual(info);
    const [error] = errorNotes(messages);
    expect(error).toEqual({ error: turn['error'], willRetry: false, threadId: thread['id'], turnId: turn['id'] });
    expect(shape(messages).slice(-3)).toEqual(['thread/status/changed', 'error', 'turn/completed']);
    // No retries with the seed config (retries 0): exactly one request.
    expect(mock.requests.filter((r) => r.path.endsWith('/responses'))).toHaveLength(1);
    // The rollout stays valid JSONL and the next turn works.
    for (const line of readFileSync(thread['path'], 'utf8').trim().split('\n')) JSON.parse(line);
    expect(lastTurn(await runTurn(mcp, thread['id'], 'again'))['status']).toBe('completed');
  });

  test('connection refused', async () => {
    const { home, mock } = await setupEnv();
    await mock.close();
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const turn = lastTurn(await runTurn(mcp, thread['id'], 'hi'));
    expect(turn['status']).toBe('failed');
    expect(turn['error']['message']).toMatch(/^stream disconnected before completion: error sending request for url \(http:\/\/127\.0\.0\.1:\d+\/v1\/responses\)$/);
  });

  test('a missing env_key variable fails the turn without a request', async () => {
    const { home, uri, mock } = await setupEnv();
    await createConfigToml(home, uri, { envKey: 'CAS_TEST_MISSING_KEY' });
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const turn = lastTurn(await runTurn(mcp, thread['id'], 'hi'));
    expect(turn['error']).toEqual({ message: 'Missing environment variable: `CAS_TEST_MISSING_KEY`.', codexErrorInfo: 'other', additionalDetails: null, misalignment: null });
    expect(mock.requests).toHaveLength(0);
  });

  test('retries are honoured: stream retries announce "Reconnecting... n/max", then succeed', async () => {
    const cut = () => sseResponse([evCreated('r'), evMessageAdded('mx'), evOutputTextDelta('mx', 'lost')]);
    const { home, uri, mock } = await setupEnv([cut(), cut(), ok(3)]);
    await createConfigToml(home, uri, { streamMaxRetries: 2 });
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const messages = await runTurn(mcp, thread['id'], 'hi');
    expect(errorNotes(messages).map((e) => [e['error']['message'], e['willRetry'], e['error']['codexErrorInfo']])).toEqual([
      ['Reconnecting... 1/2', true, { responseStreamDisconnected: { httpStatusCode: null } }],
      ['Reconnecting... 2/2', true, { responseStreamDisconnected: { httpStatusCode: null } }],
    ]);
    const turn = lastTurn(messages);
    expect(turn).toMatchObject({ status: 'completed', items: [expect.objectContaining({ text: 'answer 3' })] });
    expect(mock.requests.filter((r) => r.path.endsWith('/responses'))).toHaveLength(3);
  });

  test('retries are bounded: HTTP 500 with request_max_retries 1 makes exactly 2 requests', async () => {
    const { home, uri, mock } = await setupEnv([httpResponse(500, 'x'), httpResponse(500, 'x'), ok(3)]);
    await createConfigToml(home, uri, { requestMaxRetries: 1 });
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const turn = lastTurn(await runTurn(mcp, thread['id'], 'hi'));
    expect(turn['error']['codexErrorInfo']).toBe('internalServerError');
    expect(mock.requests.filter((r) => r.path.endsWith('/responses'))).toHaveLength(2);
  });

  test('a stream idle timeout fails the turn', async () => {
    const { home, uri } = await setupEnv([sseResponse([evCreated('r1')], { keepOpen: true }), ok(2)]);
    await createConfigToml(home, uri, { streamIdleTimeoutMs: 300 });
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const turn = lastTurn(await runTurn(mcp, thread['id'], 'hi'));
    expect(turn['status']).toBe('failed');
    expect(turn['error']['message']).toBe('stream disconnected before completion: idle timeout waiting for SSE');
  });
});

describe('turn/start while a turn is running', () => {
  test('steers the input into the running turn: same turn id, new request with both inputs, one turn/completed', async () => {
    const slow = sseResponse([evCreated('r1'), evMessageAdded('m1'), evOutputTextDelta('m1', 'thinking')], { keepOpen: true });
    const { home, mock } = await setupEnv([slow, ok(2)]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const firstId = await mcp.sendTurnStartRequest({ threadId: thread['id'], input: textInput('first') });
    const first = (await mcp.readStreamUntilResponseMessage<Json>(firstId)).result['turn'];
    await mcp.readStreamUntilNotificationMessage('item/agentMessage/delta');
    const secondId = await mcp.sendTurnStartRequest({ threadId: thread['id'], input: textInput('second') });
    const second = (await mcp.readStreamUntilResponseMessage<Json>(secondId)).result['turn'];
    expect(second['id']).toBe(first['id']);
    const completed = await mcp.readStreamUntilNotificationMessage<Json>('turn/completed');
    expect(completed.params['turn']).toMatchObject({ id: first['id'], status: 'completed', items: [expect.objectContaining({ text: 'answer 2' })] });
    const bodies = mock.requests.filter((r) => r.path.endsWith('/responses')).map((r) => r.body as Json);
    expect(bodies).toHaveLength(2);
    const userTexts = (bodies[1]?.['input'] as Json[]).filter((i) => i['role'] === 'user').map((i) => i['content'][0]['text']).filter((t: string) => !t.startsWith('<'));
    expect(userTexts).toEqual(['first', 'second']);
    // Only one turn/completed: nothing more arrives while the server stays up (a dead server fails this).
    await mcp.expectNoNotification('turn/completed', { timeoutMs: 300 });
    expect(await request(mcp, 'thread/loaded/list', {})).toMatchObject({ data: [thread['id']] });
  });
});
