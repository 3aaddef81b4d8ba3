import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { evAssistantMessage, evCompleted, evCreated, evMessageAdded, evOutputTextDelta, sseResponse, type JsonRpcMessage } from '../../src/testing/index.js';
import { runTurn, setupEnv, spawnServer, startThread, textInput, type Json } from './helpers.js';

// Reference behaviour (0.169.0, same script to both servers): interrupting a turn while its model response streams
// reports the usage so far and that response's rate limits before the `turn/interrupt` answer, and the rollout gets
// a `token_count` line before the abort notice.
test('turn/interrupt mid-response: tokenUsage + rateLimits before the answer, token_count in the rollout', async () => {
  const { home } = await setupEnv([
    sseResponse([evCreated('r1'), ...evAssistantMessage('m1', 'first'), evCompleted('r1')]),
    sseResponse([evCreated('r2'), evMessageAdded('m2'), evOutputTextDelta('m2', 'thinking')], { keepOpen: true, headers: { 'x-codex-primary-used-percent': '42' } }),
  ]);
  const mcp = await spawnServer(home);
  const thread = await startThread(mcp);
  await runTurn(mcp, thread['id'], 'one');
  const turnReq = await mcp.sendTurnStartRequest({ threadId: thread['id'], input: textInput('two') });
  const turn = (await mcp.readStreamUntilResponseMessage<Json>(turnReq)).result['turn'];
  await mcp.readStreamUntilNotificationMessage('item/agentMessage/delta');
  const interruptId = await mcp.sendTurnInterruptRequest({ threadId: thread['id'], turnId: turn['id'] });
  const seen: JsonRpcMessage[] = [];
  for (;;) {
    const m = await mcp.readNextMessage();
    seen.push(m);
    if ('method' in m && m.method === 'turn/completed') break;
  }
  const names = seen.map((m) => ('method' in m ? m.method : 'id' in m && m.id === interruptId ? 'interrupt-answer' : 'other'));
  expect(names).toEqual(['thread/tokenUsage/updated', 'account/rateLimits/updated', 'interrupt-answer', 'thread/status/changed', 'turn/completed']);
  const [usage, limits] = seen as { params: Json }[];
  expect(usage!.params).toMatchObject({ threadId: thread['id'], turnId: turn['id'], tokenUsage: { total: { totalTokens: 105 } } });
  expect(limits!.params['rateLimits']).toMatchObject({ limitId: 'codex', primary: { usedPercent: 42, windowDurationMins: null, resetsAt: null } });
  const kinds = readFileSync(thread['path'], 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json).map((l) => l['payload']?.['type'] ?? l['type']);
  expect(kinds.slice(-3)).toEqual(['token_count', 'message', 'turn_aborted']);
});
