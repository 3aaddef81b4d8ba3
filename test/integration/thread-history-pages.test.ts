/**
 * `thread/turns/list`, `thread/items/list` and the cursors of `thread/resume`, read from the `thread_history_1.sqlite`
 * projection. The cursor numbering (rollout ordinals of the turn and item rows), page order, anchors and error texts
 * were compared with the reference (codex app-server 0.169.0) on the same rollout: identical answers.
 */
import { expect, test } from 'vitest';
import { request, requestError, runTurn, setupEnv, spawnServer, startThread } from './helpers.js';

const cursor = (threadId: string, ordinal: number, includeAnchor: boolean, kind: string) =>
  JSON.stringify({ requestedThreadId: threadId, rolloutOrdinal: ordinal, includeAnchor, scope: { kind } });

test('pages of turns and items with the reference cursors, and the resume cursors', async () => {
  const { home } = await setupEnv();
  const first = await spawnServer(home);
  const threadId = String((await startThread(first))['id']);
  await runTurn(first, threadId, 'one');
  await runTurn(first, threadId, 'two');
  await first.close();

  const mcp = await spawnServer(home);
  const resumed = await request(mcp, 'thread/resume', { threadId, excludeTurns: true });
  // A first turn is rollout lines 1..13 (its turn_context at 1, its items at 8 and 9); the second starts at 14, its items at 17 and 18.
  expect(resumed['turnsBackwardsCursor']).toBe(cursor(threadId, 14, true, 'turns'));
  expect(resumed['itemsBackwardsCursor']).toBe(cursor(threadId, 18, true, 'itemsByCreatedAtOrdinal'));

  const newest = await request(mcp, 'thread/turns/list', { threadId, limit: 1 });
  expect(newest['data'].map((t: { items: { type: string }[] }) => t.items.map((i) => i.type))).toEqual([['userMessage', 'agentMessage']]);
  expect(newest['data'][0]).toMatchObject({ itemsView: 'summary', status: 'completed', error: null });
  expect(newest['nextCursor']).toBe(cursor(threadId, 14, false, 'turns'));
  expect(newest['backwardsCursor']).toBe(cursor(threadId, 14, true, 'turns'));
  const older = await request(mcp, 'thread/turns/list', { threadId, limit: 1, cursor: newest['nextCursor'] });
  expect(older['data'][0]['items'][0]['content'][0]['text']).toBe('one');
  expect(older['nextCursor']).toBeNull();
  expect(older['backwardsCursor']).toBe(cursor(threadId, 1, true, 'turns'));
  const back = await request(mcp, 'thread/turns/list', { threadId, cursor: resumed['turnsBackwardsCursor'], sortDirection: 'asc' });
  expect(back['data'].map((t: { id: string }) => t.id)).toEqual([newest['data'][0]['id']]);
  const full = await request(mcp, 'thread/turns/list', { threadId, itemsView: 'full', sortDirection: 'asc' });
  expect(full['data']).toHaveLength(2);
  expect(full['data'][0]['itemsView']).toBe('full');

  const items = await request(mcp, 'thread/items/list', { threadId, limit: 2 });
  expect(items['data'].map((e: { item: { type: string } }) => e.item.type)).toEqual(['userMessage', 'agentMessage']);
  expect(items['data'][0]['item']).toHaveProperty('startedAtMs');
  expect(items['nextCursor']).toBe(cursor(threadId, 9, false, 'itemsByCreatedAtOrdinal'));
  expect(items['backwardsCursor']).toBe(cursor(threadId, 8, true, 'itemsByCreatedAtOrdinal'));
  const rest = await request(mcp, 'thread/items/list', { threadId, limit: 2, cursor: items['nextCursor'] });
  expect(rest['data'].map((e: { item: { type: string } }) => e.item.type)).toEqual(['userMessage', 'agentMessage']);
  const newestItems = await request(mcp, 'thread/items/list', { threadId, cursor: resumed['itemsBackwardsCursor'], sortDirection: 'desc', limit: 1 });
  expect(newestItems['data'][0]['item']['type']).toBe('agentMessage');
  const oneTurn = await request(mcp, 'thread/items/list', { threadId, turnId: newest['data'][0]['id'] });
  expect(oneTurn['data']).toHaveLength(2);
  expect(await request(mcp, 'thread/items/list', { threadId, turnId: 'nope' })).toEqual({ data: [], nextCursor: null, backwardsCursor: null });

  expect(await requestError(mcp, 'thread/items/list', { threadId, cursor: 'garbage' })).toEqual({ code: -32600, message: 'invalid cursor: garbage' });
  expect(await requestError(mcp, 'thread/turns/list', { threadId, cursor: 'garbage' })).toEqual({ code: -32600, message: 'invalid cursor: garbage' });
  expect(await requestError(mcp, 'thread/turns/list', { threadId, cursor: items['nextCursor'] })).toMatchObject({ message: expect.stringMatching(/^invalid cursor: /) });
  const unknown = '00000000-0000-4000-8000-000000000000';
  expect(await requestError(mcp, 'thread/turns/list', { threadId: unknown })).toEqual({ code: -32600, message: `thread not loaded: ${unknown}` });
  expect(await requestError(mcp, 'thread/turns/list', {})).toEqual({ code: -32600, message: 'Invalid request: missing field `threadId`' });
  expect(await requestError(mcp, 'thread/turns/list', { threadId, sortDirection: 'up' })).toEqual({ code: -32600, message: 'Invalid request: unknown variant `up`, expected `asc` or `desc`' });
});
