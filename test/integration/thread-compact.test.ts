/**
 * `thread/compact/start`: a standalone compaction turn, in the order and with the texts observed on the reference
 * (codex app-server 0.169.0) with the same mock model script: `{}` first, a `contextCompaction` item around one
 * model request (the history + the compaction prompt, no tools), a `compacted` rollout line whose replacement
 * history later turns (and a resume in a new process) send instead of the old history.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { COMPACTION_PROMPT, SUMMARY_PREFIX } from '../../src/threads/compaction.js';
import { evAssistantMessage, evCompleted, evCreated, evMessageAdded, evOutputTextDelta, sseResponse, type JsonRpcMessage, type McpProcess, type MockResponse } from '../../src/testing/index.js';
import { request, requestError, runTurn, setupEnv, shape, spawnServer, startThread, type Json } from './helpers.js';

const answer = (n: number, text: string): MockResponse => sseResponse([evCreated(`r${n}`), evAssistantMessage(`m${n}`, text), evCompleted(`r${n}`)]);

async function untilTurnCompleted(mcp: McpProcess): Promise<JsonRpcMessage[]> {
  const messages: JsonRpcMessage[] = [];
  for (;;) {
    const m = await mcp.readNextMessage();
    messages.push(m);
    if ('method' in m && m.method === 'turn/completed') return messages;
  }
}

/** The texts of the messages a request sent, `role:text`, context messages (`<…>`) left out. */
function texts(body: Json): string[] {
  return (body['input'] as Json[]).filter((i) => i['type'] === 'message' && !String(i['content'][0]['text']).startsWith('<')).slice(1).map((i) => `${i['role']}:${i['content'][0]['text']}`);
}

describe('thread/compact/start', () => {
  test('bad and unknown ids are refused with the reference texts', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    expect(await requestError(mcp, 'thread/compact/start', { threadId: 'bad' })).toEqual({ code: -32600, message: 'invalid thread id: invalid length: expected length 32 for simple format, found 3' });
    const unknown = '019ae000-0000-7000-8000-000000000000';
    expect(await requestError(mcp, 'thread/compact/start', { threadId: unknown })).toEqual({ code: -32600, message: `thread not found: ${unknown}` });
    expect(await requestError(mcp, 'thread/compact/start', {})).toEqual({ code: -32600, message: 'Invalid request: missing field `threadId`' });
  });

  test('summarises the history through the model, writes the compacted line, and later turns send the replacement', async () => {
    const { home, mock } = await setupEnv([answer(1, 'Done'), answer(2, 'SUMMARY TEXT'), answer(3, 'Again'), answer(4, 'After resume')]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    await runTurn(mcp, thread['id'], 'first message');

    const id = await mcp.sendRequest('thread/compact/start', { threadId: thread['id'] });
    const messages = await untilTurnCompleted(mcp);
    expect(messages[0]).toEqual({ id, result: {} });
    expect(shape(messages)).toEqual([
      'response',
      'thread/status/changed',
      'turn/started',
      'item/started',
      'thread/tokenUsage/updated',
      'account/rateLimits/updated',
      'thread/tokenUsage/updated',
      'account/rateLimits/updated',
      'thread/tokenUsage/updated',
      'account/rateLimits/updated',
      'item/completed',
      'thread/status/changed',
      'turn/completed',
    ]);
    const params = messages.map((m) => (m as { params?: Json }).params);
    expect(params[3]?.['item']).toMatchObject({ type: 'contextCompaction', completedAtMs: null });
    expect(params[10]?.['item']).toMatchObject({ type: 'contextCompaction', id: params[3]?.['item']['id'] });
    expect(params[4]?.['tokenUsage']['total']['totalTokens']).toBe(105);
    expect(params[6]?.['tokenUsage']['total']['totalTokens']).toBe(210);
    expect(params[12]?.['turn']).toMatchObject({ items: [], itemsView: 'notLoaded', status: 'completed' });

    const bodies = () => mock.responsesRequests().map((r) => r.body as Json);
    const compaction = bodies()[1]!;
    expect(compaction['tools']).toEqual([]);
    expect(texts(compaction)).toEqual(['user:first message', 'assistant:Done', `user:${COMPACTION_PROMPT}`]);
    expect(JSON.parse(mock.responsesRequests()[1]!.headers['x-codex-turn-metadata']!)['request_kind']).toBe('compaction');

    await runTurn(mcp, thread['id'], 'after compact');
    const summary = `${SUMMARY_PREFIX}\nSUMMARY TEXT`;
    expect(texts(bodies()[2]!)).toEqual(['user:first message', `user:${summary}`, 'user:after compact']);

    const rollout = readFileSync(String(thread['path']), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
    const compacted = rollout.find((l) => l['type'] === 'compacted')!;
    expect(compacted['payload']['message']).toBe(summary);
    expect((compacted['payload']['replacement_history'] as Json[]).map((i) => i['role'])).toEqual(['developer', 'user', 'user', 'user']);
    await mcp.close();

    // A new process resumes from the compacted line: the contextCompaction item is rendered, the old answer is not sent.
    const next = await spawnServer(home);
    const resumed = await request(next, 'thread/resume', { threadId: thread['id'] });
    expect((resumed['thread']['turns'] as Json[]).map((t) => (t['items'] as Json[]).map((i) => i['type']))).toEqual([
      ['userMessage', 'agentMessage'],
      ['contextCompaction'],
      ['userMessage', 'agentMessage'],
    ]);
    await runTurn(next, thread['id'], 'after resume');
    expect(texts(bodies()[3]!)).toEqual(['user:first message', `user:${summary}`, 'user:after compact', 'assistant:Again', 'user:after resume']);
  });

  test('on a thread with no turns the request is the base instructions and the prompt only', async () => {
    const { home, mock } = await setupEnv([answer(1, 'Nothing yet')]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    await mcp.sendRequest('thread/compact/start', { threadId: thread['id'] });
    const messages = await untilTurnCompleted(mcp);
    // No usage before the request: no first thread/tokenUsage/updated, only the rate limits.
    expect(shape(messages).filter((s) => s !== 'thread/started').slice(0, 6)).toEqual(['response', 'thread/status/changed', 'turn/started', 'item/started', 'account/rateLimits/updated', 'thread/tokenUsage/updated']);
    const input = (mock.responsesRequests()[0]!.body as Json)['input'] as Json[];
    expect(input.map((i) => i['role'])).toEqual(['developer', 'user']);
    expect(input[1]!['content'][0]['text']).toBe(COMPACTION_PROMPT);
    const kinds = readFileSync(String(thread['path']), 'utf8').trim().split('\n').map((l) => {
      const line = JSON.parse(l) as Json;
      return line['payload']['type'] && line['type'] !== 'response_item' ? `${line['type']}:${line['payload']['type']}` : line['type'];
    });
    expect(kinds).toEqual([
      'session_meta', 'event_msg:task_started', 'event_msg:token_count', 'response_item', 'token_usage_record', 'event_msg:token_count', 'compacted',
      'world_state', 'turn_context', 'event_msg:thread_settings_applied', 'event_msg:token_count', 'event_msg:item_completed', 'event_msg:task_complete',
    ]);
  });

  test('a running turn is interrupted first, then the compaction runs', async () => {
    const hanging = sseResponse([evCreated('r1'), evMessageAdded('m1'), evOutputTextDelta('m1', 'thinking')], { keepOpen: true });
    const { home } = await setupEnv([hanging, answer(2, 'SUMMARY')]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    await mcp.sendTurnStartRequest({ threadId: thread['id'], input: [{ type: 'text', text: 'x' }] });
    await mcp.readStreamUntilNotificationMessage('item/agentMessage/delta');
    const id = await mcp.sendRequest('thread/compact/start', { threadId: thread['id'] });
    const first = await untilTurnCompleted(mcp);
    expect(first[0]).toEqual({ id, result: {} });
    expect((first.at(-1) as { params: Json }).params['turn']['status']).toBe('interrupted');
    const second = await untilTurnCompleted(mcp);
    expect(shape(second).slice(0, 3)).toEqual(['thread/status/changed', 'turn/started', 'item/started']);
    expect((second[2] as { params: Json }).params['item']['type']).toBe('contextCompaction');
    expect((second.at(-1) as { params: Json }).params['turn']['status']).toBe('completed');
  });
});
