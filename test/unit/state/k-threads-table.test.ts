import { describe, expect, test } from 'vitest';
import type { IndexedThreadInput } from '../../../src/rollout/thread-index.js';
import { ThreadsTable } from '../../../src/state/threads.js';
import { DEFAULT_MODEL_PROVIDER, rowParams, threadFromRecord, type ThreadRecord } from '../../../src/state/thread-rows.js';
import { schemaDb } from './k-db.js';

const ID = '019d0000-0000-7000-8000-000000000001';
const ID2 = '019d0000-0000-7000-8000-000000000002';

function input(overrides: Partial<IndexedThreadInput> = {}): IndexedThreadInput {
  return {
    id: ID,
    rolloutPath: '/h/sessions/rollout-1.jsonl',
    archived: false,
    createdAtMs: 1_700_000_000_999.6,
    updatedAtMs: 1_700_000_100_250,
    recencyAtMs: 1_700_000_050_750,
    source: 'cli',
    spawn: null,
    modelProvider: 'mock_provider',
    model: 'mock-model',
    cwd: '/work/p',
    cliVersion: '0.169.0',
    originator: 'codex_vscode',
    preview: 'first words',
    tokensUsed: 42.9,
    approvalMode: 'never',
    sandboxPolicy: '{"type":"disabled"}',
    name: null,
    archivedAtMs: null,
    ...overrides,
  };
}

function table(defaultProvider = 'fallback_provider') {
  const db = schemaDb();
  const threads = new ThreadsTable(db, defaultProvider);
  const raw = (id = ID) => db.prepare('SELECT * FROM threads WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  return { db, threads, raw };
}

describe('rowParams and threadFromRecord', () => {
  test('seconds are floored, milliseconds and tokens truncated, flags as integers', () => {
    expect(rowParams(input({ archived: true, archivedAtMs: 1_700_000_200_999 }), 'openai')).toEqual({
      id: ID,
      rollout_path: '/h/sessions/rollout-1.jsonl',
      created_at: 1_700_000_000,
      created_at_ms: 1_700_000_000_999,
      updated_at: 1_700_000_100,
      updated_at_ms: 1_700_000_100_250,
      recency_at: 1_700_000_050,
      recency_at_ms: 1_700_000_050_750,
      source: 'cli',
      model_provider: 'mock_provider',
      model: 'mock-model',
      cwd: '/work/p',
      preview: 'first words',
      name: null,
      sandbox_policy: '{"type":"disabled"}',
      approval_mode: 'never',
      tokens_used: 42,
      archived: 1,
      archived_at: 1_700_000_200,
      cli_version: '0.169.0',
      originator: 'codex_vscode',
      agent_nickname: null,
      agent_role: null,
      agent_path: null,
    });
  });

  test('a row without a provider takes the default; sub-agent lineage fills the agent columns', () => {
    const spawnSource = { subagent: { thread_spawn: { parent_thread_id: ID2, depth: 1, agent_nickname: 'Ada', agent_role: 'worker', agent_path: '/root/ada' } } };
    const params = rowParams(
      input({
        modelProvider: null,
        source: spawnSource,
        spawn: { parentThreadId: ID2, depth: 1, agentNickname: 'Ada', agentRole: 'worker', agentPath: '/root/ada' },
      }),
      'openai',
    );
    expect(params).toMatchObject({
      model_provider: 'openai',
      source: JSON.stringify(spawnSource),
      agent_nickname: 'Ada',
      agent_role: 'worker',
      agent_path: '/root/ada',
      archived: 0,
      archived_at: null,
    });
    expect(DEFAULT_MODEL_PROVIDER).toBe('openai');
  });

  test('a record with no originator, archived, with archived_at in seconds, reads back in milliseconds', () => {
    const record: ThreadRecord = {
      id: ID, rollout_path: '/a.jsonl', archived: 1, archived_at: 1_700_000_300, source: 'exec', model_provider: 'p', model: null,
      cwd: '/c', cli_version: '1', originator: null, preview: '', name: 'n', sandbox_policy: 's', approval_mode: 'a', tokens_used: 3,
      created_ms: 10, updated_ms: 20, recency_ms: 30,
    };
    expect(threadFromRecord(record)).toEqual({
      id: ID, rolloutPath: '/a.jsonl', archived: true, createdAtMs: 10, updatedAtMs: 20, recencyAtMs: 30, source: 'exec', spawn: null,
      modelProvider: 'p', model: null, cwd: '/c', cliVersion: '1', originator: '', preview: '', tokensUsed: 3, approvalMode: 'a',
      sandboxPolicy: 's', name: 'n', archivedAtMs: 1_700_000_300_000,
    });
    expect(threadFromRecord({ ...record, archived: 0, archived_at: null, originator: 'o' })).toMatchObject({ archived: false, archivedAtMs: null, originator: 'o' });
  });
});

describe('ThreadsTable', () => {
  test('get and rolloutPath: unknown ids are null; rolloutPath answers only for the matching archived flag', () => {
    const { threads } = table();
    expect(threads.get(ID)).toBeNull();
    expect(threads.rolloutPath(ID, false)).toBeNull();
    threads.upsertThread(input());
    expect(threads.rolloutPath(ID, false)).toBe('/h/sessions/rollout-1.jsonl');
    expect(threads.rolloutPath(ID, true)).toBeNull();
    threads.upsertThread(input({ archived: true, rolloutPath: '/h/archived_sessions/rollout-1.jsonl', archivedAtMs: 1_700_000_500_000 }));
    expect(threads.rolloutPath(ID, true)).toBe('/h/archived_sessions/rollout-1.jsonl');
    expect(threads.rolloutPath(ID, false)).toBeNull();
  });

  test('upsert writes the configured default provider and reads the row back', () => {
    const { threads, raw } = table('fallback_provider');
    threads.upsertThread(input({ modelProvider: null }));
    expect(raw()).toMatchObject({ model_provider: 'fallback_provider', tokens_used: 42, created_at_ms: 1_700_000_000_999 });
    expect(threads.get(ID)).toMatchObject({ modelProvider: 'fallback_provider', tokensUsed: 42, createdAtMs: 1_700_000_000_999 });
  });

  test('a BLOB source written by another tool is read as its text (get and the JSON lineage)', () => {
    const { db, threads } = table();
    threads.upsertThread(input());
    const sub = JSON.stringify({ subagent: { thread_spawn: { parent_thread_id: ID2, depth: 2 } } });
    db.prepare('UPDATE threads SET source = ? WHERE id = ?').run(Buffer.from(sub, 'utf8'), ID);
    expect(db.prepare('SELECT typeof(source) AS t FROM threads').get()).toEqual({ t: 'blob' });
    expect(threads.get(ID)).toMatchObject({
      source: JSON.parse(sub),
      spawn: { parentThreadId: ID2, depth: 2, agentNickname: null, agentRole: null, agentPath: null },
    });
  });

  test('the batch upsert writes several rows in one statement, later rows with the same id winning', () => {
    const { threads, raw } = table('fallback_provider');
    threads.upsertThreads([]);
    threads.upsertThreads([input({ preview: 'old' }), input({ id: ID2, modelProvider: null }), input({ preview: 'new' })]);
    expect(raw()).toMatchObject({ preview: 'new', title: 'new', first_user_message: 'new', history_mode: 'paginated', memory_mode: 'enabled' });
    expect(raw(ID2)).toMatchObject({ model_provider: 'fallback_provider' });
    expect(threads.get(ID2)).toEqual({ ...input({ id: ID2, modelProvider: 'fallback_provider' }), createdAtMs: 1_700_000_000_999, tokensUsed: 42 });
  });

  test('a batch larger than one statement (450 rows: 200 + 200 + 50) stores every row as single upserts do', () => {
    const rows = Array.from({ length: 450 }, (_, i) =>
      input({
        id: `019d0000-0000-7000-8000-${String(i).padStart(12, '0')}`,
        preview: i % 7 === 0 ? '' : `preview ${i}`,
        modelProvider: i % 5 === 0 ? null : `p${i}`,
        model: i % 3 === 0 ? null : 'm',
        archived: i % 11 === 0,
        archivedAtMs: i % 11 === 0 ? 1_700_000_200_000 + i : null,
        tokensUsed: i,
      }),
    );
    const batched = table();
    batched.threads.upsertThreads(rows);
    const single = table();
    for (const row of rows) single.threads.upsertThread(row);
    const all = (db: typeof batched.db) => db.prepare('SELECT * FROM threads ORDER BY id').all();
    expect(all(batched.db)).toHaveLength(450);
    expect(all(batched.db)).toEqual(all(single.db));
    // The same sizes again reuse their statements and update in place.
    batched.threads.upsertThreads(rows.map((row) => ({ ...row, preview: `again ${row.id}` })));
    expect(batched.raw(rows[449]?.id)).toMatchObject({ preview: `again ${rows[449]?.id}`, title: `again ${rows[449]?.id}` });
    expect(all(batched.db)).toHaveLength(450);
  });

  test('an update keeps a stored name when the new row has none, and replaces it when it has one', () => {
    const { threads } = table();
    threads.upsertThread(input({ name: 'kept' }));
    threads.upsertThread(input({ name: null, preview: 'later' }));
    expect(threads.get(ID)).toMatchObject({ name: 'kept', preview: 'later' });
    threads.upsertThreads([input({ name: 'renamed' })]);
    expect(threads.get(ID)?.name).toBe('renamed');
  });

  test('updateRolloutPath: false without a row; archiving sets archived_at once; un-archiving clears it', () => {
    const { threads, raw } = table();
    expect(threads.updateRolloutPath(ID, '/x.jsonl', true, 1_700_000_000_000)).toBe(false);
    threads.upsertThread(input());
    expect(threads.updateRolloutPath(ID, '/h/archived_sessions/r.jsonl', true, 1_700_000_700_900)).toBe(true);
    expect(raw()).toMatchObject({ rollout_path: '/h/archived_sessions/r.jsonl', archived: 1, archived_at: 1_700_000_700 });
    // Already archived: the first archived_at stays.
    expect(threads.updateRolloutPath(ID, '/h/archived_sessions/r2.jsonl', true, 1_700_000_900_000)).toBe(true);
    expect(raw()).toMatchObject({ rollout_path: '/h/archived_sessions/r2.jsonl', archived: 1, archived_at: 1_700_000_700 });
    expect(threads.updateRolloutPath(ID, '/h/sessions/r.jsonl', false, 1_700_000_900_000)).toBe(true);
    expect(raw()).toMatchObject({ rollout_path: '/h/sessions/r.jsonl', archived: 0, archived_at: null });
    // Archived with no known time: archived_at stays empty.
    expect(threads.updateRolloutPath(ID, '/h/archived_sessions/r3.jsonl', true, null)).toBe(true);
    expect(raw()).toMatchObject({ archived: 1, archived_at: null });
  });

  test('recordTurn: times, tokens and model; null recency and model keep the stored ones; preview only when empty', () => {
    const { threads, raw } = table();
    threads.upsertThread(input({ preview: '' }));
    threads.recordTurn({ threadId: ID, updatedAtMs: 1_700_000_800_600.7, recencyAtMs: 1_700_000_801_999, tokensUsed: 77.8, model: 'm2', firstUserMessage: 'hello' });
    expect(raw()).toMatchObject({
      updated_at: 1_700_000_800, updated_at_ms: 1_700_000_800_600, recency_at: 1_700_000_801, recency_at_ms: 1_700_000_801_999,
      tokens_used: 77, model: 'm2', title: 'hello', first_user_message: 'hello', preview: 'hello',
    });
    threads.recordTurn({ threadId: ID, updatedAtMs: 1_700_000_900_000, recencyAtMs: null, tokensUsed: 80, model: null, firstUserMessage: 'again' });
    expect(raw()).toMatchObject({
      updated_at: 1_700_000_900, updated_at_ms: 1_700_000_900_000, recency_at: 1_700_000_801, recency_at_ms: 1_700_000_801_999,
      tokens_used: 80, model: 'm2', title: 'hello', first_user_message: 'hello', preview: 'hello',
    });
  });

  test('recordTurn with no first message leaves an empty preview empty', () => {
    const { threads, raw } = table();
    threads.upsertThread(input({ preview: '' }));
    threads.recordTurn({ threadId: ID, updatedAtMs: 1_700_000_900_000, recencyAtMs: null, tokensUsed: 1, model: null, firstUserMessage: null });
    expect(raw()).toMatchObject({ title: '', first_user_message: '', preview: '' });
  });

  test('setName sets the name and the update times', () => {
    const { threads, raw } = table();
    threads.upsertThread(input());
    threads.setName(ID, 'My thread', 1_700_000_950_123.9);
    expect(raw()).toMatchObject({ name: 'My thread', updated_at: 1_700_000_950, updated_at_ms: 1_700_000_950_123 });
  });
});
