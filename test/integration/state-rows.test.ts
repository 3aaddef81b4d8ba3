import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { request, runTurn, setupEnv, spawnServer, startThread } from './helpers.js';

type Row = Record<string, unknown>;

function row(home: string, id: string): Row | undefined {
  const db = new Database(path.join(home, 'state_5.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT * FROM threads WHERE id = ?').get(id) as Row | undefined;
  } finally {
    db.close();
  }
}

describe('state DB rows follow the thread life cycle', () => {
  test('no row at start; created at the first turn; kept current per turn, rename, archive and unarchive', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const id: string = thread['id'];
    expect(row(home, id)).toBeUndefined();

    await runTurn(mcp, id, 'first message');
    const first = row(home, id) as Row;
    expect(first).toMatchObject({
      rollout_path: thread['path'],
      source: 'vscode',
      model_provider: 'mock_provider',
      model: 'mock-model',
      title: 'first message',
      first_user_message: 'first message',
      preview: 'first message',
      approval_mode: 'never',
      tokens_used: 105,
      archived: 0,
      archived_at: null,
      cli_version: '0.169.0',
      originator: 'codex_app_server_ts_tests',
      history_mode: 'paginated',
    });
    expect(first['created_at']).toBe(thread['createdAt']);

    await runTurn(mcp, id, 'second message');
    const second = row(home, id) as Row;
    expect(second).toMatchObject({ tokens_used: 210, preview: 'first message' });
    expect(Number(second['updated_at_ms'])).toBeGreaterThanOrEqual(Number(first['updated_at_ms']));

    await request(mcp, 'thread/name/set', { threadId: id, name: 'Renamed' });
    expect(row(home, id)).toMatchObject({ name: 'Renamed' });

    await request(mcp, 'thread/archive', { threadId: id });
    const archived = row(home, id) as Row;
    expect(archived).toMatchObject({ archived: 1, rollout_path: path.join(home, 'archived_sessions', path.basename(thread['path'])) });
    expect(archived['archived_at']).not.toBeNull();

    await request(mcp, 'thread/unarchive', { threadId: id });
    const restored = row(home, id) as Row;
    expect(restored).toMatchObject({ archived: 0, archived_at: null, rollout_path: thread['path'], name: 'Renamed', tokens_used: 210 });
    expect(Number(restored['updated_at_ms'])).toBeGreaterThanOrEqual(Number(archived['updated_at_ms']));

    // The DB-only listing and the filesystem listing agree.
    const fromFs = await request(mcp, 'thread/list', {});
    const fromDb = await request(mcp, 'thread/list', { useStateDbOnly: true });
    expect(fromDb['data'].map((t: Record<string, unknown>) => [t['id'], t['preview'], t['name']])).toEqual(fromFs['data'].map((t: Record<string, unknown>) => [t['id'], t['preview'], t['name']]));
  });
});
