/**
 * `thread/delete` and `thread/metadata/update`. The texts, notifications and what is left on disk were compared with
 * the reference (codex app-server 0.169.0) on the same home.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { request, requestError, runTurn, setupEnv, spawnServer, startThread } from './helpers.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

function rowCounts(home: string, threadId: string): number[] {
  const state = new Database(path.join(home, 'state_5.sqlite'), { readonly: true });
  const history = new Database(path.join(home, 'thread_history_1.sqlite'), { readonly: true });
  try {
    const count = (db: Database.Database, sql: string) => (db.prepare(sql).get(threadId) as { n: number }).n;
    return [
      count(state, 'SELECT count(*) AS n FROM threads WHERE id = ?'),
      count(history, 'SELECT count(*) AS n FROM thread_turns WHERE thread_id = ?'),
      count(history, 'SELECT count(*) AS n FROM thread_items WHERE thread_id = ?'),
      count(history, 'SELECT count(*) AS n FROM thread_history_projection_state WHERE thread_id = ?'),
    ];
  } finally {
    state.close();
    history.close();
  }
}

test('thread/delete unloads a loaded thread, removes its rollout and rows, and tells every client', async () => {
  const { home } = await setupEnv();
  const mcp = await spawnServer(home);
  const thread = await startThread(mcp);
  const threadId = String(thread['id']);
  await runTurn(mcp, threadId, 'one');
  const rollout = String(thread['path']);
  expect(existsSync(rollout)).toBe(true);
  const other = await spawnServer(home);
  mcp.clearMessageBuffer();

  const id = await mcp.sendRequest('thread/delete', { threadId });
  const status = await mcp.readStreamUntilNotificationMessage<{ threadId: string; status: { type: string } }>('thread/status/changed');
  expect(status.params).toEqual({ threadId, status: { type: 'notLoaded' } });
  expect((await mcp.readStreamUntilNotificationMessage('thread/deleted')).params).toEqual({ threadId });
  expect((await mcp.readStreamUntilResponseMessage(id)).result).toEqual({});
  expect(existsSync(rollout)).toBe(false);
  expect(rowCounts(home, threadId)).toEqual([0, 0, 0, 0]);

  expect(await requestError(mcp, 'thread/delete', { threadId })).toEqual({ code: -32600, message: `no rollout found for thread id ${threadId}` });
  expect(await requestError(mcp, 'thread/read', { threadId })).toEqual({ code: -32600, message: `thread not loaded: ${threadId}` });
  expect(await requestError(other, 'thread/resume', { threadId })).toMatchObject({ code: -32600 });
  expect(await requestError(mcp, 'thread/delete', { threadId: UNKNOWN })).toEqual({ code: -32600, message: `no rollout found for thread id ${UNKNOWN}` });
  expect(await requestError(mcp, 'thread/delete', { threadId: 'bad' })).toEqual({ code: -32600, message: 'invalid thread id: invalid length: expected length 32 for simple format, found 3' });
  expect(await requestError(mcp, 'thread/delete', {})).toEqual({ code: -32600, message: 'Invalid request: missing field `threadId`' });
});

test('thread/delete is refused while another process writes the thread', async () => {
  const { home } = await setupEnv();
  const writer = await spawnServer(home);
  const threadId = String((await startThread(writer))['id']);
  await runTurn(writer, threadId, 'one');
  const other = await spawnServer(home);
  expect(await requestError(other, 'thread/delete', { threadId })).toEqual({ code: -32600, message: `thread ${threadId} already has an active writer` });
  expect(rowCounts(home, threadId)[0]).toBe(1);
});

test('thread/metadata/update patches the stored Git metadata, with the reference checks', async () => {
  const { home } = await setupEnv();
  const first = await spawnServer(home);
  const threadId = String((await startThread(first))['id']);
  await runTurn(first, threadId, 'one');
  await first.close();
  const mcp = await spawnServer(home);
  const set = await request(mcp, 'thread/metadata/update', { threadId, gitInfo: { sha: 'abc', branch: 'main' } });
  expect(set['thread']).toMatchObject({ id: threadId, status: { type: 'notLoaded' }, gitInfo: { sha: 'abc', branch: 'main', originUrl: null } });
  const patched = await request(mcp, 'thread/metadata/update', { threadId, gitInfo: { sha: null, originUrl: 'https://x' } });
  expect(patched['thread']['gitInfo']).toEqual({ sha: null, branch: 'main', originUrl: 'https://x' });
  expect((await request(mcp, 'thread/metadata/update', { threadId, projectId: '' }))['thread']['gitInfo']).toEqual({ sha: null, branch: 'main', originUrl: 'https://x' });
  expect((await request(mcp, 'thread/read', { threadId }))['thread']['gitInfo']).toEqual({ sha: null, branch: 'main', originUrl: 'https://x' });

  const error = (params: unknown) => requestError(mcp, 'thread/metadata/update', params);
  expect(await error({ threadId })).toEqual({ code: -32600, message: 'thread metadata update must include at least one field' });
  expect(await error({ threadId, projectId: 'nope' })).toEqual({ code: -32600, message: 'project not found: nope' });
  expect(await error({ threadId, gitInfo: { branch: '' } })).toEqual({ code: -32600, message: 'gitInfo.branch must not be empty' });
  expect(await error({ threadId: UNKNOWN, gitInfo: { sha: 'a' } })).toEqual({ code: -32600, message: `no rollout found for thread id ${UNKNOWN}` });
  expect(await error({ threadId: 'bad', gitInfo: { sha: 'a' } })).toEqual({ code: -32600, message: 'invalid thread id: invalid length: expected length 32 for simple format, found 3' });
});
