/**
 * `thread/resume` of a thread with token usage sends `thread/tokenUsage/updated` right after its answer, also with
 * `excludeTurns: true`, as the reference (codex app-server 0.169.0) does: `thread/status/changed`, the answer, the
 * usage (thread totals, last response's usage, the last turn's id), then `thread/goal/cleared`.
 */
import { describe, expect, test } from 'vitest';
import type { JsonRpcMessage } from '../../src/testing/index.js';
import { runTurn, setupEnv, shape, spawnServer, startThread, type Json } from './helpers.js';

describe('thread/resume token usage', () => {
  for (const excludeTurns of [true, false]) {
    test(`sent after the answer with excludeTurns: ${excludeTurns}`, async () => {
      const { home } = await setupEnv();
      const first = await spawnServer(home);
      const thread = await startThread(first);
      const turn = await runTurn(first, thread['id'], 'one');
      const turnId = (turn.find((m) => 'method' in m && m.method === 'turn/completed') as { params: Json }).params['turn']['id'];
      await first.close();

      const next = await spawnServer(home);
      await next.sendThreadResumeRequest({ threadId: thread['id'], excludeTurns });
      const messages: JsonRpcMessage[] = [];
      for (;;) {
        const m = await next.readNextMessage();
        messages.push(m);
        if ('method' in m && m.method === 'thread/goal/cleared') break;
      }
      const expected = ['thread/status/changed', 'response', 'thread/tokenUsage/updated', 'thread/goal/cleared'];
      const deprecation = excludeTurns ? [] : ['deprecationNotice'];
      expect(shape(messages).filter((s) => s !== 'remoteControl/status/changed')).toEqual([...deprecation, ...expected]);
      const usage = (messages.find((m) => 'method' in m && m.method === 'thread/tokenUsage/updated') as { params: Json }).params;
      const tokens = { totalTokens: 105, inputTokens: 100, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0 };
      expect(usage).toEqual({ threadId: thread['id'], turnId, tokenUsage: { total: tokens, last: tokens, modelContextWindow: 258400 } });
      await next.close();
    });
  }
});
