/**
 * `turn/steer`: input added to the running turn. Texts, message order and rollout lines as observed on the reference
 * (codex app-server 0.169.0) with the same mock model script.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  evAssistantMessage,
  evCompleted,
  evCreated,
  evMessageAdded,
  evOutputTextDelta,
  MOCK_USAGE,
  sseResponse,
  type JsonRpcMessage,
  type McpProcess,
  type MockResponse,
} from '../../src/testing/index.js';
import { request, requestError, runTurn, setupEnv, shape, spawnServer, startThread, textInput, type Json } from './helpers.js';

const ok = (n: number): MockResponse => sseResponse([evCreated(`r${n}`), evAssistantMessage(`m${n}`, `answer ${n}`), evCompleted(`r${n}`)]);
/** A model answer that starts and then hangs: the turn stays running until it is steered or interrupted. */
const hanging = (): MockResponse => sseResponse([evCreated('r1'), evMessageAdded('m1'), evOutputTextDelta('m1', 'thinking')], { keepOpen: true });
const RATE_LIMITS = { limitId: 'codex', limitName: null, normalModelSlug: null, primary: null, secondary: null, credits: null, individualLimit: null, spendControlReached: null, planType: null, rateLimitReachedType: null };

/** Starts a turn on `threadId` and waits until the model is streaming its (hanging) answer; returns the turn id. */
async function runningTurn(mcp: McpProcess, threadId: string, text: string): Promise<string> {
  const id = await mcp.sendTurnStartRequest({ threadId, input: textInput(text) });
  const turn = (await mcp.readStreamUntilResponseMessage<Json>(id)).result['turn'];
  await mcp.readStreamUntilNotificationMessage('item/agentMessage/delta');
  return turn['id'];
}

/** Every message up to and including `turn/completed`. */
async function untilTurnCompleted(mcp: McpProcess): Promise<JsonRpcMessage[]> {
  const messages: JsonRpcMessage[] = [];
  for (;;) {
    const m = await mcp.readNextMessage();
    messages.push(m);
    if ('method' in m && m.method === 'turn/completed') return messages;
  }
}

const params = (m: JsonRpcMessage | undefined): Json => (m as { params: Json }).params;
const rolloutLines = (file: string): Json[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);

describe('turn/steer', () => {
  test('refused without a running turn, with the reference texts', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    const unknown = '019ae000-0000-7000-8000-000000000000';
    expect(await requestError(mcp, 'turn/steer', { threadId: unknown, expectedTurnId: 'x', input: textInput('a') })).toEqual({ code: -32600, message: `thread not found: ${unknown}` });
    expect(await requestError(mcp, 'turn/steer', { threadId: 'nope', expectedTurnId: 'x', input: textInput('a') })).toEqual({
      code: -32600,
      message: 'invalid thread id: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1',
    });
    const thread = await startThread(mcp);
    expect(await requestError(mcp, 'turn/steer', { threadId: thread['id'], expectedTurnId: 'x', input: textInput('a') })).toEqual({ code: -32600, message: 'no active turn to steer' });
    expect(await requestError(mcp, 'turn/steer', { threadId: thread['id'], expectedTurnId: 'x', input: [] })).toEqual({ code: -32600, message: 'no active turn to steer' });
    // Decoding (serde, field order threadId, clientUserMessageId, input, …, expectedTurnId).
    expect(await requestError(mcp, 'turn/steer', {})).toEqual({ code: -32600, message: 'Invalid request: missing field `threadId`' });
    expect(await requestError(mcp, 'turn/steer', { threadId: thread['id'] })).toEqual({ code: -32600, message: 'Invalid request: missing field `input`' });
    expect(await requestError(mcp, 'turn/steer', { threadId: thread['id'], input: [] })).toEqual({ code: -32600, message: 'Invalid request: missing field `expectedTurnId`' });
    expect(await requestError(mcp, 'turn/steer', { threadId: 'x', expectedTurnId: 'y', input: [], clientUserMessageId: 5 })).toEqual({ code: -32600, message: 'Invalid request: invalid type: integer `5`, expected a string' });
    expect(await requestError(mcp, 'turn/steer', ['a', null, []])).toEqual({ code: -32600, message: 'Invalid request: invalid length 3, expected struct TurnSteerParams with 7 elements' });
    expect(await requestError(mcp, 'turn/steer', { threadId: 'x', expectedTurnId: 'y', input: [{ type: 'bogus' }] })).toEqual({
      code: -32600,
      message: 'Invalid request: unknown variant `bogus`, expected one of `text`, `image`, `localImage`, `audio`, `localAudio`, `skill`, `mention`',
    });
  });

  test('experimental params are refused without the experimentalApi capability, first field in declaration order', async () => {
    const { home } = await setupEnv();
    const unknown = '019ae000-0000-7000-8000-000000000000';
    const base = { threadId: unknown, expectedTurnId: 't', input: [] };
    const plain = await spawnServer(home);
    const gated = (field: string) => ({ code: -32600, message: `turn/steer.${field} requires experimentalApi capability` });
    expect(await requestError(plain, 'turn/steer', { ...base, additionalContext: {} })).toEqual(gated('additionalContext'));
    expect(await requestError(plain, 'turn/steer', { ...base, responsesapiClientMetadataPatch: {} })).toEqual(gated('responsesapiClientMetadataPatch'));
    expect(await requestError(plain, 'turn/steer', ['a', null, [], {}, {}, {}, 't'])).toEqual(gated('responsesapiClientMetadata'));
    expect(await requestError(plain, 'turn/steer', { ...base, responsesapiClientMetadata: null })).toEqual({ code: -32600, message: `thread not found: ${unknown}` });
    const experimental = await spawnServer(home, { initialize: false });
    await experimental.initialize(undefined, { experimentalApi: true });
    expect(await requestError(experimental, 'turn/steer', { ...base, additionalContext: {}, responsesapiClientMetadata: { k: 'v' } })).toEqual({ code: -32600, message: `thread not found: ${unknown}` });
    // AdditionalContextEntry {value, kind, name?} decodes with the reference's serde texts.
    expect(await requestError(experimental, 'turn/steer', { ...base, additionalContext: { a: {} } })).toEqual({ code: -32600, message: 'Invalid request: missing field `value`' });
    expect(await requestError(experimental, 'turn/steer', { ...base, additionalContext: { a: { value: 'v', kind: 'x' } } })).toEqual({
      code: -32600,
      message: 'Invalid request: unknown variant `x`, expected `untrusted` or `application`',
    });
    expect(await requestError(experimental, 'turn/steer', { ...base, additionalContext: { a: ['v', 'untrusted'] } })).toEqual({
      code: -32600,
      message: 'Invalid request: invalid length 2, expected struct AdditionalContextEntry with 3 elements',
    });
  });

  test('adds the input to the running turn: the same turn continues with a new model request and one turn/completed', async () => {
    const { home, mock } = await setupEnv([hanging(), ok(2)]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const turnId = await runningTurn(mcp, thread['id'], 'first');

    expect(await requestError(mcp, 'turn/steer', { threadId: thread['id'], expectedTurnId: 'wrong', input: [] })).toEqual({
      code: -32600,
      message: `expected active turn id \`wrong\` but found \`${turnId}\``,
    });
    expect(await requestError(mcp, 'turn/steer', { threadId: thread['id'], expectedTurnId: turnId, input: [] })).toEqual({ code: -32600, message: 'input must not be empty' });

    const steerId = await mcp.sendTurnSteerRequest({ threadId: thread['id'], expectedTurnId: turnId, input: textInput('second'), clientUserMessageId: 'client-1' });
    expect(await mcp.readStreamUntilResponseMessage(steerId)).toEqual({ id: steerId, result: { turnId } });
    const messages = await untilTurnCompleted(mcp);
    // Reference order: the abandoned request's rate limits, the steered user item, then the new answer.
    expect(shape(messages)).toEqual([
      'account/rateLimits/updated',
      'item/started',
      'item/completed',
      'item/started',
      'item/agentMessage/delta',
      'item/agentMessage/delta',
      'item/agentMessage/delta',
      'item/completed',
      'thread/tokenUsage/updated',
      'account/rateLimits/updated',
      'thread/status/changed',
      'turn/completed',
    ]);
    expect(params(messages[0])).toEqual({ rateLimits: RATE_LIMITS });
    expect(params(messages[2])).toMatchObject({ turnId, item: { type: 'userMessage', clientId: 'client-1', content: [{ type: 'text', text: 'second', text_elements: [] }] } });
    expect(params(messages.at(-1))['turn']).toMatchObject({ id: turnId, status: 'completed', items: [expect.objectContaining({ text: 'answer 2' })] });

    const bodies = mock.responsesRequests().map((r) => r.body as Json);
    expect(bodies).toHaveLength(2);
    const userTexts = (bodies[1]!['input'] as Json[]).filter((i) => i['role'] === 'user').map((i) => i['content'][0]['text']).filter((t: string) => !t.startsWith('<'));
    expect(userTexts).toEqual(['first', 'second']);

    // The rollout: a usage-less token_count for the abandoned request, then the steered message with its client id.
    const lines = rolloutLines(thread['path']);
    const steered = lines.findIndex((l) => l['payload']['type'] === 'item_completed' && l['payload']['item']['client_id'] === 'client-1');
    expect(lines[steered]!['payload']['item']).toEqual({ type: 'UserMessage', id: expect.any(String), client_id: 'client-1', content: [{ type: 'text', text: 'second', text_elements: [] }] });
    expect(lines[steered - 1]!['payload']).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'second' }] });
    expect(lines[steered - 2]!['payload']).toMatchObject({ type: 'token_count', info: null, rate_limits: { limit_id: 'codex' } });

    expect(await requestError(mcp, 'turn/steer', { threadId: thread['id'], expectedTurnId: turnId, input: textInput('late') })).toEqual({ code: -32600, message: 'no active turn to steer' });
    const read = await request(mcp, 'thread/read', { threadId: thread['id'], includeTurns: true });
    expect(read['thread']['turns'][0]['items'].map((i: Json) => i['text'] ?? i['content'][0]['text'])).toEqual(['first', 'second', 'answer 2']);
  });

  test('after an earlier turn, the abandoned request also reports the usage so far', async () => {
    const { home } = await setupEnv([ok(0), hanging(), ok(2)]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    await runTurn(mcp, thread['id'], 'zero');
    const turnId = await runningTurn(mcp, thread['id'], 'first');
    await request(mcp, 'turn/steer', { threadId: thread['id'], expectedTurnId: turnId, input: textInput('second') });
    const messages = await untilTurnCompleted(mcp);
    expect(shape(messages).slice(0, 3)).toEqual(['thread/tokenUsage/updated', 'account/rateLimits/updated', 'item/started']);
    const usage = { totalTokens: MOCK_USAGE.totalTokens, inputTokens: MOCK_USAGE.inputTokens, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: MOCK_USAGE.outputTokens, reasoningOutputTokens: 0 };
    expect(params(messages[0])).toEqual({ threadId: thread['id'], turnId, tokenUsage: { total: usage, last: usage, modelContextWindow: 258400 } });
  });

  test('turn/start on a running turn steers the same way (the rate-limit notice first)', async () => {
    const { home } = await setupEnv([hanging(), ok(2)]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const turnId = await runningTurn(mcp, thread['id'], 'first');
    const id = await mcp.sendTurnStartRequest({ threadId: thread['id'], input: textInput('second') });
    expect((await mcp.readStreamUntilResponseMessage<Json>(id)).result['turn']['id']).toBe(turnId);
    const messages = await untilTurnCompleted(mcp);
    expect(shape(messages).slice(0, 3)).toEqual(['account/rateLimits/updated', 'item/started', 'item/completed']);
    expect(params(messages[1])['item']).toMatchObject({ type: 'userMessage', clientId: null });
  });
});
