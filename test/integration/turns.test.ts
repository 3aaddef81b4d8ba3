import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { evAssistantMessage, evCompleted, evCreated, evFunctionCall, evMessageAdded, evOutputTextDelta, evReasoning, httpResponse, sseResponse } from '../../src/testing/index.js';
import { request, runTurn, setupEnv, shape, spawnServer, startThread, textInput, type Json } from './helpers.js';

describe('turn/start', () => {
  test('sends the reference notification order and writes the rollout lazily', async () => {
    const { home, mock } = await setupEnv();
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    await mcp.readStreamUntilNotificationMessage('thread/started');
    expect(existsSync(thread['path'])).toBe(false);
    const messages = await runTurn(mcp, thread['id'], 'hello');
    expect(shape(messages)).toEqual([
      'warning',
      'response',
      'thread/status/changed',
      'turn/started',
      'item/started',
      'item/completed',
      'item/started',
      'item/agentMessage/delta',
      'item/completed',
      'thread/tokenUsage/updated',
      'account/rateLimits/updated',
      'thread/status/changed',
      'turn/completed',
    ]);
    const byMethod = (m: string) => messages.filter((x) => 'method' in x && x.method === m).map((x) => (x as { params: Json }).params);
    expect(byMethod('warning')[0]).toEqual({ threadId: thread['id'], message: 'Model metadata for `mock-model` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.' });
    expect(byMethod('thread/status/changed').map((p) => p['status'])).toEqual([{ type: 'active', activeFlags: [] }, { type: 'idle' }]);
    const completed = byMethod('turn/completed')[0] as Json;
    expect(completed['turn']).toMatchObject({ status: 'completed', itemsView: 'summary', error: null });
    expect(completed['turn']['items']).toEqual([expect.objectContaining({ type: 'agentMessage', id: 'msg_mock_1', text: 'Done' })]);
    const usage = byMethod('thread/tokenUsage/updated')[0] as Json;
    expect(usage['tokenUsage']).toEqual({
      total: { totalTokens: 105, inputTokens: 100, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0 },
      last: { totalTokens: 105, inputTokens: 100, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0 },
      modelContextWindow: 258400,
    });
    // Every notification carries emittedAtMs; responses never do.
    for (const m of messages) expect('emittedAtMs' in m).toBe('method' in m);
    const lines = readFileSync(thread['path'], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l: Json) => l['type'] === 'event_msg' ? `event_msg:${l['payload']['type']}` : l['type'])).toEqual([
      'session_meta', 'event_msg:task_started', 'response_item', 'response_item', 'world_state', 'turn_context', 'event_msg:thread_settings_applied',
      'response_item', 'event_msg:item_completed', 'event_msg:item_completed', 'response_item', 'token_usage_record', 'event_msg:token_count', 'event_msg:task_complete',
    ]);
    expect(lines.map((l: Json) => l['ordinal'])).toEqual([...Array(14).keys()]);
    expect(mock.requests.filter((r) => r.path.endsWith('/responses'))).toHaveLength(1);
  });

  test('deltas concatenate to the final text, and totals accumulate across turns and resume', async () => {
    const script = [
      sseResponse([evCreated('r1'), evAssistantMessage('m1', 'Hello there, friend', { deltas: 4 }), evCompleted('r1')]),
      sseResponse([evCreated('r2'), evAssistantMessage('m2', 'Second', { deltas: 2 }), evCompleted('r2')]),
      sseResponse([evCreated('r3'), evAssistantMessage('m3', 'Third', { deltas: 1 }), evCompleted('r3')]),
    ];
    const { home, mock } = await setupEnv(script);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const first = await runTurn(mcp, thread['id'], 'one');
    const deltas = first.filter((m) => 'method' in m && m.method === 'item/agentMessage/delta').map((m) => (m as { params: Json }).params['delta']);
    expect(deltas.length).toBe(4);
    expect(deltas.join('')).toBe('Hello there, friend');
    const second = await runTurn(mcp, thread['id'], 'two');
    const total = (msgs: typeof second) => ((msgs.find((m) => 'method' in m && m.method === 'thread/tokenUsage/updated') as { params: Json }).params['tokenUsage']['total']['totalTokens']);
    expect(total(first)).toBe(105);
    expect(total(second)).toBe(210);
    // The second request carries the whole conversation.
    const body = mock.requests.filter((r) => r.path.endsWith('/responses'))[1]?.body as Json;
    const texts = (body['input'] as Json[]).filter((i) => i['role'] === 'user' || i['role'] === 'assistant').map((i) => `${i['role']}:${i['content'][0]['text']}`);
    expect(texts.slice(-3)).toEqual(['user:one', 'assistant:Hello there, friend', 'user:two']);
    await mcp.close();

    // A new process resumes: totals are restored, and the next request includes the full history.
    const next = await spawnServer(home);
    const resumeId = await next.sendThreadResumeRequest({ threadId: thread['id'] });
    await next.readStreamUntilResponseMessage(resumeId);
    const restored = await next.readStreamUntilNotificationMessage<Json>('thread/tokenUsage/updated');
    expect(restored.params['tokenUsage']['total']['totalTokens']).toBe(210);
    const third = await runTurn(next, thread['id'], 'three');
    expect(total(third)).toBe(315);
    const body3 = mock.requests.filter((r) => r.path.endsWith('/responses'))[2]?.body as Json;
    const texts3 = (body3['input'] as Json[]).filter((i) => i['role'] === 'user' || i['role'] === 'assistant').map((i) => i['content'][0]['text']);
    expect(texts3.filter((t: string) => !t.startsWith('<'))).toEqual(['one', 'Hello there, friend', 'two', 'Second', 'three']);
  });

  test('a call to a tool we do not offer is answered as the reference answers it and the turn completes', async () => {
    const script = [
      sseResponse([evCreated('r1'), evFunctionCall('call_1', 'nope_tool', '{}'), evCompleted('r1')]),
      sseResponse([evCreated('r2'), evAssistantMessage('m2', 'Cannot run tools'), evCompleted('r2')]),
    ];
    const { home, mock } = await setupEnv(script);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const messages = await runTurn(mcp, thread['id'], 'list files');
    const done = messages.at(-1) as { params: Json };
    expect(done.params['turn']['status']).toBe('completed');
    const second = mock.requests.filter((r) => r.path.endsWith('/responses'))[1]?.body as Json;
    const output = (second['input'] as Json[]).find((i) => i['type'] === 'function_call_output');
    expect(output).toMatchObject({ call_id: 'call_1' });
    expect(output?.['output']).toBe('unsupported call: nope_tool');
  });

  test('reasoning items stream as reasoning notifications', async () => {
    const script = [sseResponse([evCreated('r1'), evReasoning('rs_1', ['thinking hard']), evAssistantMessage('m1', 'ok'), evCompleted('r1')])];
    const { home } = await setupEnv(script);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const messages = await runTurn(mcp, thread['id'], 'why');
    const completedItems = messages.filter((m) => 'method' in m && m.method === 'item/completed').map((m) => (m as { params: Json }).params['item']);
    expect(completedItems.map((i) => i['type'])).toEqual(['userMessage', 'reasoning', 'agentMessage']);
    expect(completedItems[1]?.['summary']).toEqual(['thinking hard']);
  });

  test('an HTTP 500 fails the turn with the reference error shape and the thread accepts the next turn', async () => {
    const script = [httpResponse(500, '{"error":{"message":"boom"}}'), sseResponse([evCreated('r2'), evAssistantMessage('m2', 'back'), evCompleted('r2')])];
    const { home } = await setupEnv(script);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const messages = await runTurn(mcp, thread['id'], 'hi');
    expect(shape(messages).slice(-3)).toEqual(['thread/status/changed', 'error', 'turn/completed']);
    const error = messages.find((m) => 'method' in m && m.method === 'error') as { params: Json };
    const turnError = { message: 'We’re currently experiencing high demand, which may cause temporary errors.', codexErrorInfo: 'internalServerError', additionalDetails: null, misalignment: null };
    expect(error.params).toMatchObject({ error: turnError, willRetry: false, threadId: thread['id'] });
    const done = messages.at(-1) as { params: Json };
    expect(done.params['turn']).toMatchObject({ status: 'failed', items: [], itemsView: 'notLoaded', error: turnError });
    const next = await runTurn(mcp, thread['id'], 'again');
    expect((next.at(-1) as { params: Json }).params['turn']['status']).toBe('completed');
    const read = await request(mcp, 'thread/read', { threadId: thread['id'], includeTurns: true });
    expect(read['thread']['turns'].map((t: Json) => t['status'])).toEqual(['failed', 'completed']);
  });

  test('turn/interrupt aborts the stream, keeps what streamed, and leaves the thread usable', async () => {
    const script = [
      sseResponse([evCreated('r1'), evMessageAdded('m1'), evOutputTextDelta('m1', 'partial '), evOutputTextDelta('m1', 'answer')], { keepOpen: true }),
      sseResponse([evCreated('r2'), evAssistantMessage('m2', 'fresh'), evCompleted('r2')]),
    ];
    const { home } = await setupEnv(script);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const turnReq = await mcp.sendTurnStartRequest({ threadId: thread['id'], input: textInput('go') });
    const turn = (await mcp.readStreamUntilResponseMessage<Json>(turnReq)).result['turn'];
    await mcp.readStreamUntilNotificationMessage('item/agentMessage/delta');
    const interruptId = await mcp.sendTurnInterruptRequest({ threadId: thread['id'], turnId: turn['id'] });
    expect((await mcp.readStreamUntilResponseMessage(interruptId)).result).toEqual({});
    const idle = await mcp.readStreamUntil((m) => 'method' in m && m.method === 'thread/status/changed' && (m.params as Json)['status']['type'] === 'idle');
    expect((idle as { params: Json }).params).toEqual({ threadId: thread['id'], status: { type: 'idle' } });
    const done = await mcp.readStreamUntilNotificationMessage<Json>('turn/completed');
    expect(done.params['turn']).toMatchObject({ id: turn['id'], status: 'interrupted', items: [], itemsView: 'notLoaded', error: null });
    const lines = readFileSync(thread['path'], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)['payload']).toMatchObject({ type: 'turn_aborted', turn_id: turn['id'], reason: 'interrupted' });
    const after = await runTurn(mcp, thread['id'], 'again');
    expect((after.at(-1) as { params: Json }).params['turn']['status']).toBe('completed');
    const noTurn = await mcp.sendTurnInterruptRequest({ threadId: thread['id'], turnId: 'whatever' });
    expect((await mcp.readStreamUntilErrorMessage(noTurn)).error).toEqual({ code: -32600, message: 'no active turn to interrupt' });
  });
});
