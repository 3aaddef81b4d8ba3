import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { request, runTurn, setupEnv, spawnServer, startThread, type Json } from './helpers.js';

// Reference behaviour (0.169.0 rollout of a one-turn thread compacted with thread/compact/start): of the token_count
// lines only the estimate written after the `compacted` line says `last_usage_includes_reasoning: true`.
test('thread/compact/start: the post-compaction estimate is recorded with last_usage_includes_reasoning true', async () => {
  const { home } = await setupEnv();
  const mcp = await spawnServer(home);
  const thread = await startThread(mcp);
  await runTurn(mcp, thread['id'], 'hi');
  await request(mcp, 'thread/compact/start', { threadId: thread['id'] });
  await mcp.readStreamUntilNotificationMessage('turn/completed');
  const lines = readFileSync(thread['path'], 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Json);
  const marks = lines
    .filter((l) => l['type'] === 'compacted' || l['payload']?.['type'] === 'token_count')
    .map((l) => (l['type'] === 'compacted' ? 'compacted' : l['payload']['info']?.['last_usage_includes_reasoning']));
  expect(marks).toEqual([false, false, false, 'compacted', true]);
});
