import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';
import type { IndexedThreadInput, IndexListQuery } from '../../../src/rollout/thread-index.js';
import { summarizeRollout } from '../../../src/rollout/summary.js';
import { READ_ONLY_SANDBOX_POLICY_JSON as READ_ONLY_SANDBOX_POLICY, rowFromSummary as threadInputFromSummary } from '../../../src/rollout/file-row.js';
import { openStateDb, STATE_DB_FILE, type StateDb } from '../../../src/state/index.js';
import { systemClock } from '../../../src/support/clock.js';
import { BASE_MS, makeTempHome, recordingLogger, threadIdFor, writeRollout } from './helpers.js';

async function openEmpty(): Promise<{ db: StateDb; home: string }> {
  const home = makeTempHome();
  const db = await openStateDb(home, { clock: systemClock, log: recordingLogger(), ids: { uuid4: () => 'rev-generated', uuid7: () => 'unused' } });
  if (!db) throw new Error('state db did not open');
  onTestFinished(() => void db.close());
  return { db, home };
}

/** A row plus an existing file at its path (the DB-only listing drops rows whose file is gone). */
function thread(home: string, n: number, overrides: Partial<IndexedThreadInput> = {}): IndexedThreadInput {
  const id = threadIdFor(n);
  const rolloutPath = path.join(home, 'sessions', `rollout-${id}.jsonl`);
  mkdirSync(path.dirname(rolloutPath), { recursive: true });
  writeFileSync(rolloutPath, '{}\n');
  return {
    id,
    rolloutPath,
    archived: false,
    createdAtMs: BASE_MS + n * 1000 + 123,
    updatedAtMs: BASE_MS + n * 1000 + 500,
    recencyAtMs: BASE_MS + n * 1000 + 400,
    source: 'vscode',
    spawn: null,
    modelProvider: 'mock_provider',
    model: 'mock-model',
    cwd: '/work/project',
    cliVersion: '0.169.0',
    originator: 'test_client',
    preview: `hello ${n}`,
    tokensUsed: 105,
    approvalMode: 'never',
    sandboxPolicy: READ_ONLY_SANDBOX_POLICY,
    name: null,
    archivedAtMs: null,
    ...overrides,
  };
}

function query(overrides: Partial<IndexListQuery> = {}): IndexListQuery {
  return {
    archived: false, sortKey: 'created_at', sortDirection: 'desc', after: null, limit: 25,
    sourceKinds: [], modelProviders: null, cwds: null, searchTerm: null, requirePreview: true,
    ...overrides,
  };
}

const ids = (rows: { id: string }[]): string[] => rows.map((r) => r.id);
const t = (n: number): string => threadIdFor(n);

describe('threads rows', () => {
  test('upsert then get returns the same thread, with the reference column mapping', async () => {
    const { db, home } = await openEmpty();
    const row = thread(home, 1);
    db.upsertThread(row);
    expect(db.getThread(row.id)).toEqual(row);
    const raw = new Database(path.join(home, STATE_DB_FILE), { readonly: true });
    onTestFinished(() => void raw.close());
    expect(
      raw.prepare('SELECT created_at, created_at_ms, updated_at, recency_at, title, first_user_message, preview, history_mode, memory_mode, has_user_event, archived_at FROM threads').get(),
    ).toEqual({
      created_at: Math.floor((BASE_MS + 1123) / 1000), created_at_ms: BASE_MS + 1123, updated_at: Math.floor((BASE_MS + 1500) / 1000),
      recency_at: Math.floor((BASE_MS + 1400) / 1000), title: 'hello 1', first_user_message: 'hello 1', preview: 'hello 1',
      history_mode: 'paginated', memory_mode: 'enabled', has_user_event: 0, archived_at: null,
    });
  });

  test('a rebuild from the file keeps the user-set name', async () => {
    const { db, home } = await openEmpty();
    db.upsertThread(thread(home, 1));
    db.setName(t(1), 'Named', BASE_MS + 99_000);
    db.upsertThread(thread(home, 1, { tokensUsed: 7, name: null }));
    expect(db.getThread(t(1))).toMatchObject({ name: 'Named', tokensUsed: 7 });
    db.upsertThread(thread(home, 1, { name: 'Renamed' }));
    expect(db.getThread(t(1))?.name).toBe('Renamed');
  });

  test('a sub-agent row keeps its source JSON, lineage and an open spawn edge', async () => {
    const { db, home } = await openEmpty();
    const source = { subagent: { thread_spawn: { parent_thread_id: t(1), depth: 1, agent_path: null, agent_nickname: 'Scout', agent_role: 'explorer' } } };
    const spawn = { parentThreadId: t(1), depth: 1, agentPath: null, agentNickname: 'Scout', agentRole: 'explorer' };
    db.upsertThread(thread(home, 2, { source, spawn }));
    expect(db.getThread(t(2))).toMatchObject({ source, spawn });
    expect(db.children(t(1))).toEqual([t(2)]);
    const raw = new Database(path.join(home, STATE_DB_FILE), { readonly: true });
    onTestFinished(() => void raw.close());
    expect(raw.prepare('SELECT source, agent_nickname, agent_role FROM threads').get()).toEqual({
      source: JSON.stringify(source), agent_nickname: 'Scout', agent_role: 'explorer',
    });
    expect(raw.prepare('SELECT * FROM thread_spawn_edges').all()).toEqual([{ parent_thread_id: t(1), child_thread_id: t(2), status: 'open' }]);
  });

  test('updateRolloutPath moves a row between active and archived', async () => {
    const { db, home } = await openEmpty();
    expect(db.updateRolloutPath(t(1), '/x', true, BASE_MS)).toBe(false);
    db.upsertThread(thread(home, 1));
    expect(db.updateRolloutPath(t(1), '/archived/x.jsonl', true, BASE_MS + 5_500)).toBe(true);
    expect(db.rolloutPath(t(1), false)).toBeNull();
    expect(db.rolloutPath(t(1), true)).toBe('/archived/x.jsonl');
    expect(db.getThread(t(1))).toMatchObject({ archived: true, archivedAtMs: BASE_MS + 5_000 });
    // Read-repair of an archived row keeps the archived_at it has.
    expect(db.updateRolloutPath(t(1), '/archived/y.jsonl', true, BASE_MS + 60_000)).toBe(true);
    expect(db.getThread(t(1))).toMatchObject({ rolloutPath: '/archived/y.jsonl', archivedAtMs: BASE_MS + 5_000 });
    expect(db.updateRolloutPath(t(1), '/active/x.jsonl', false, null)).toBe(true);
    expect(db.getThread(t(1))).toMatchObject({ archived: false, archivedAtMs: null, rolloutPath: '/active/x.jsonl' });
  });

  test('recordTurn updates times, tokens and model, and sets the preview only once', async () => {
    const { db, home } = await openEmpty();
    db.upsertThread(thread(home, 1, { preview: '', model: null }));
    db.recordTurn({ threadId: t(1), updatedAtMs: BASE_MS + 60_001, recencyAtMs: BASE_MS + 60_000, tokensUsed: 210, model: 'm2', firstUserMessage: 'first' });
    db.recordTurn({ threadId: t(1), updatedAtMs: BASE_MS + 70_001, recencyAtMs: null, tokensUsed: 315, model: null, firstUserMessage: 'second' });
    expect(db.getThread(t(1))).toMatchObject({
      updatedAtMs: BASE_MS + 70_001, recencyAtMs: BASE_MS + 60_000, tokensUsed: 315, model: 'm2', preview: 'first',
    });
  });

  test('the backfill batch statement writes the same rows as single upserts', async () => {
    const home = makeTempHome();
    const source = { subagent: { thread_spawn: { parent_thread_id: t(1), depth: 2, agent_path: 'a/b', agent_nickname: 'N', agent_role: 'r' } } };
    const files = [
      writeRollout(home, { id: t(1), createdAtMs: BASE_MS + 1, preview: 'héllo — 世界 "quoted" \\ back', model: 'm1' }),
      writeRollout(home, { id: t(2), createdAtMs: BASE_MS + 2, source, preview: null }),
      writeRollout(home, { id: t(3), createdAtMs: BASE_MS + 3, archived: true, modelProvider: 'p3' }),
    ];
    const batched = await openStateDb(home, { clock: systemClock, log: recordingLogger() });
    onTestFinished(() => batched?.close());
    const { db: single, home: other } = await openEmpty();
    for (const [i, file] of files.entries()) {
      const summary = await summarizeRollout(file, i === 2);
      if (summary) single.upsertThread(threadInputFromSummary(summary));
    }
    const rows = (dir: string) => {
      const raw = new Database(path.join(dir, STATE_DB_FILE), { readonly: true });
      try {
        const columns = raw.prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)').all('threads');
        const types = columns.map(({ name }) => `typeof(${name}) AS "type_of_${name}"`).join(', ');
        return raw.prepare(`SELECT *, ${types} FROM threads ORDER BY id`).all();
      } finally {
        raw.close();
      }
    };
    expect(rows(home)).toHaveLength(3);
    expect(rows(home)).toEqual(rows(other));
    expect(batched?.getThread(t(1))?.preview).toBe('héllo — 世界 "quoted" \\ back');
  });

  test('a file-only row takes on-request approval, read-only sandbox, and the mtime as archived_at', async () => {
    const { home } = await openEmpty();
    const file = writeRollout(home, { id: t(5), createdAtMs: BASE_MS, archived: true, mtimeMs: BASE_MS + 42_000, modelProvider: 'p' });
    const summary = await summarizeRollout(file, true);
    expect(summary && threadInputFromSummary(summary)).toMatchObject({
      id: t(5), archived: true, archivedAtMs: BASE_MS + 42_000, approvalMode: 'on-request', sandboxPolicy: READ_ONLY_SANDBOX_POLICY, name: null, model: null,
    });
  });
});

describe('listThreads', () => {
  test('pages by sort key then id, descending, with an exclusive cursor', async () => {
    const { db, home } = await openEmpty();
    for (const n of [1, 2, 3, 4, 5]) db.upsertThread(thread(home, n));
    // Same created_at for 6 and 7: the id breaks the tie.
    db.upsertThread(thread(home, 6, { createdAtMs: BASE_MS + 99_000 }));
    db.upsertThread(thread(home, 7, { createdAtMs: BASE_MS + 99_000 }));
    const first = db.listThreads(query({ limit: 3 }));
    expect(ids(first)).toEqual([t(7), t(6), t(5)]);
    const last = first.at(-1)!;
    const second = db.listThreads(query({ limit: 3, after: { keyMs: last.createdAtMs, id: last.id } }));
    expect(ids(second)).toEqual([t(4), t(3), t(2)]);
    const tie = db.listThreads(query({ limit: 3, after: { keyMs: BASE_MS + 99_000, id: t(7) } }));
    expect(ids(tie)).toEqual([t(6), t(5), t(4)]);
  });

  test('ascending order and the other sort keys', async () => {
    const { db, home } = await openEmpty();
    db.upsertThread(thread(home, 1, { updatedAtMs: BASE_MS + 30_000, recencyAtMs: BASE_MS + 10_000 }));
    db.upsertThread(thread(home, 2, { updatedAtMs: BASE_MS + 20_000, recencyAtMs: BASE_MS + 30_000 }));
    db.upsertThread(thread(home, 3, { updatedAtMs: BASE_MS + 10_000, recencyAtMs: BASE_MS + 20_000 }));
    expect(ids(db.listThreads(query({ sortDirection: 'asc' })))).toEqual([t(1), t(2), t(3)]);
    expect(ids(db.listThreads(query({ sortKey: 'updated_at' })))).toEqual([t(1), t(2), t(3)]);
    expect(ids(db.listThreads(query({ sortKey: 'recency_at' })))).toEqual([t(2), t(3), t(1)]);
    expect(ids(db.listThreads(query({ sortKey: 'recency_at', sortDirection: 'asc', after: { keyMs: BASE_MS + 10_000, id: t(1) } })))).toEqual([t(3), t(2)]);
  });

  test('filters: archived, preview, providers, cwds, case-sensitive search', async () => {
    const { db, home } = await openEmpty();
    db.upsertThread(thread(home, 1, { preview: 'Fix the Parser' }));
    db.upsertThread(thread(home, 2, { preview: '' }));
    db.upsertThread(thread(home, 3, { modelProvider: 'other', cwd: '/elsewhere' }));
    db.upsertThread(thread(home, 4, { archived: true, archivedAtMs: BASE_MS }));
    expect(ids(db.listThreads(query()))).toEqual([t(3), t(1)]);
    expect(ids(db.listThreads(query({ requirePreview: false })))).toEqual([t(3), t(2), t(1)]);
    expect(ids(db.listThreads(query({ archived: true, requirePreview: false })))).toEqual([t(4)]);
    expect(ids(db.listThreads(query({ modelProviders: ['other'] })))).toEqual([t(3)]);
    expect(ids(db.listThreads(query({ modelProviders: [] })))).toEqual([t(3), t(1)]);
    expect(ids(db.listThreads(query({ cwds: ['/work/project', '/nowhere'] })))).toEqual([t(1)]);
    expect(ids(db.listThreads(query({ searchTerm: 'Parser' })))).toEqual([t(1)]);
    expect(ids(db.listThreads(query({ searchTerm: 'parser' })))).toEqual([]);
    expect(ids(db.listThreads(query({ searchTerm: '%' })))).toEqual([]);
  });

  test('source kinds: interactive by default, sub-agent kinds on request', async () => {
    const { db, home } = await openEmpty();
    const spawnSource = { subagent: { thread_spawn: { parent_thread_id: t(1), depth: 1 } } };
    db.upsertThread(thread(home, 1, { source: 'cli' }));
    db.upsertThread(thread(home, 2, { source: 'vscode' }));
    db.upsertThread(thread(home, 3, { source: 'exec' }));
    db.upsertThread(thread(home, 4, { source: spawnSource, spawn: { parentThreadId: t(1), depth: 1, agentPath: null, agentNickname: null, agentRole: null } }));
    db.upsertThread(thread(home, 5, { source: { subagent: 'review' } }));
    db.upsertThread(thread(home, 6, { source: 'mcp' }));
    expect(ids(db.listThreads(query()))).toEqual([t(2), t(1)]);
    expect(ids(db.listThreads(query({ sourceKinds: ['exec'] })))).toEqual([t(3)]);
    expect(ids(db.listThreads(query({ sourceKinds: ['subAgent'] })))).toEqual([t(5), t(4)]);
    expect(ids(db.listThreads(query({ sourceKinds: ['subAgentThreadSpawn'] })))).toEqual([t(4)]);
    expect(ids(db.listThreads(query({ sourceKinds: ['subAgentReview', 'appServer'] })))).toEqual([t(6), t(5)]);
  });

  test('rows whose file is gone are skipped and the page is still filled', async () => {
    const { db, home } = await openEmpty();
    const rows = [1, 2, 3, 4, 5, 6].map((n) => thread(home, n));
    for (const row of rows) db.upsertThread(row);
    for (const n of [6, 5, 3]) rmSync(rows[n - 1]!.rolloutPath);
    expect(ids(db.listThreads(query({ limit: 2 })))).toEqual([t(4), t(2)]);
    expect(ids(db.listThreads(query({ limit: 10 })))).toEqual([t(4), t(2), t(1)]);
  });
});

describe('spawn edges', () => {
  test('descendants: breadth-first by depth, ids ascending within a depth, any status (SPEC §9.3)', async () => {
    const { db } = await openEmpty();
    // Ids ordered C2 < C1 and G1 < G2, as in the spec's example.
    const [P, C2, C1, G1, G2, X] = ['p', 'c2', 'c1', 'g1', 'g2', 'x'].map((_, i) => threadIdFor(100 + i)) as [string, string, string, string, string, string];
    db.upsertSpawnEdge(P, C1, 'closed');
    db.upsertSpawnEdge(P, C2, 'open');
    db.upsertSpawnEdge(C1, G1, 'open');
    db.upsertSpawnEdge(C2, G2, 'closed');
    db.upsertSpawnEdge(G2, X, 'open');
    const descendants = db.descendants(P);
    expect(descendants).toEqual([C2, C1, G1, G2, X]);
    expect([P, ...[...descendants].reverse()]).toEqual([P, X, G2, G1, C1, C2]);
    expect(db.children(P)).toEqual([C2, C1]);
    expect(db.descendants(X)).toEqual([]);
  });

  test('descendants is cycle-safe and an upsert changes status in place', async () => {
    const { db, home } = await openEmpty();
    db.upsertSpawnEdge(t(1), t(2), 'open');
    db.upsertSpawnEdge(t(2), t(3), 'open');
    db.upsertSpawnEdge(t(3), t(1), 'open');
    expect(db.descendants(t(1))).toEqual([t(2), t(3)]);
    db.upsertSpawnEdge(t(1), t(2), 'closed');
    const raw = new Database(path.join(home, STATE_DB_FILE), { readonly: true });
    onTestFinished(() => void raw.close());
    expect(raw.prepare('SELECT status FROM thread_spawn_edges WHERE child_thread_id = ?').get(t(2))).toEqual({ status: 'closed' });
  });

  test('backfill derives edges from sub-agent session_meta without reopening closed ones', async () => {
    const home = makeTempHome();
    const source = (parent: string) => ({ subagent: { thread_spawn: { parent_thread_id: parent, depth: 1, agent_path: null, agent_nickname: 'A', agent_role: null } } });
    writeRollout(home, { id: t(1), createdAtMs: BASE_MS });
    writeRollout(home, { id: t(2), createdAtMs: BASE_MS + 1000, source: source(t(1)) });
    writeRollout(home, { id: t(3), createdAtMs: BASE_MS + 2000, source: source(t(2)) });
    const db = await openStateDb(home, { clock: systemClock, log: recordingLogger() });
    onTestFinished(() => db?.close());
    expect(db?.descendants(t(1))).toEqual([t(2), t(3)]);
    expect(db?.getThread(t(2))?.spawn).toEqual({ parentThreadId: t(1), depth: 1, agentPath: null, agentNickname: 'A', agentRole: null });
  });
});

describe('read receipts', () => {
  test('first completed turn stays first unread; revision follows each completion', async () => {
    const { db } = await openEmpty();
    expect(db.readState(t(1))).toBeNull();
    db.recordCompletedTurn(t(1), 'turn-1', 'rev-1');
    expect(db.readState(t(1))).toEqual({ firstUnreadTurnId: 'turn-1', revision: 'rev-1' });
    db.recordCompletedTurn(t(1), 'turn-2');
    expect(db.readState(t(1))).toEqual({ firstUnreadTurnId: 'turn-1', revision: 'rev-generated' });
  });
});
