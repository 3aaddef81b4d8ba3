/**
 * `thread/list` asks the state DB for the Git metadata and read receipts of a whole page at once (one statement
 * each). What it shows per thread must be what `thread/read` (one lookup per thread) shows: a thread with a
 * receipt and Git metadata, one with a receipt only, one with neither, on both listing paths.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { request, runTurn, setupEnv, spawnServer, startThread } from './helpers.js';

test('a listed page shows each thread with the Git metadata and read state thread/read gives it', async () => {
  const { home } = await setupEnv();
  const writer = await spawnServer(home);
  const withGit = String((await startThread(writer))['id']);
  await runTurn(writer, withGit, 'one');
  const receiptOnly = String((await startThread(writer))['id']);
  await runTurn(writer, receiptOnly, 'two');
  const neither = String((await startThread(writer))['id']);
  await runTurn(writer, neither, 'three');
  await writer.close();
  const state = new Database(path.join(home, 'state_5.sqlite'));
  expect(state.prepare('DELETE FROM thread_read_receipts WHERE thread_id = ?').run(neither).changes).toBe(1);
  state.close();
  const mcp = await spawnServer(home);
  await request(mcp, 'thread/metadata/update', { threadId: withGit, gitInfo: { sha: 'abc', originUrl: 'https://x' } });

  const expected = new Map<string, { gitInfo: unknown; readState: unknown }>();
  for (const threadId of [withGit, receiptOnly, neither]) {
    const read = await request(mcp, 'thread/read', { threadId });
    expected.set(threadId, { gitInfo: read['thread']['gitInfo'], readState: read['readState'] });
  }
  expect(expected.get(withGit)?.gitInfo).toEqual({ sha: 'abc', branch: null, originUrl: 'https://x' });
  expect(expected.get(receiptOnly)?.gitInfo).toBeNull();
  expect(expected.get(receiptOnly)?.readState).not.toEqual(expected.get(neither)?.readState);
  expect(expected.get(neither)?.readState).toEqual({ firstUnread: null, revision: `initial:${neither}` });

  for (const params of [{}, { useStateDbOnly: true }]) {
    const page = await request(mcp, 'thread/list', params);
    const data = page['data'] as { id: string; gitInfo: unknown }[];
    expect(data.map((t) => t.id).sort()).toEqual([withGit, receiptOnly, neither].sort());
    for (const thread of data) {
      expect({ gitInfo: thread.gitInfo, readState: page['readStates'][thread.id] }).toEqual(expected.get(thread.id));
    }
  }
});
