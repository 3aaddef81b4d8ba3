import { describe, expect, test } from 'vitest';
import type { IndexedThreadInput } from '../../../src/rollout/thread-index.js';
import type { ThreadHistoryStore } from '../../../src/state/history-projection-store.js';
import { prepareStateDbParts, StateDb, type StateDbStartup } from '../../../src/state/state-db.js';
import type { ThreadSearcher } from '../../../src/state/thread-search.js';
import { threadIdFor } from './helpers.js';
import { manualClock, schemaDb } from './k-db.js';

const A = threadIdFor(1);
const B = threadIdFor(2);
const C = threadIdFor(3);
const STARTUP: StateDbStartup = { schema: 'created', backfill: null, waitedMs: 0 };

function row(id: string, overrides: Partial<IndexedThreadInput> = {}): IndexedThreadInput {
  return {
    id, rolloutPath: `/nowhere/rollout-${id}.jsonl`, archived: false, createdAtMs: 1_700_000_000_000, updatedAtMs: 1_700_000_000_000,
    recencyAtMs: 1_700_000_000_000, source: 'cli', spawn: null, modelProvider: 'p', model: null, cwd: '/w', cliVersion: '0.169.0',
    originator: 'o', preview: 'x', tokensUsed: 0, approvalMode: 'never', sandboxPolicy: '{}', name: null, archivedAtMs: null, ...overrides,
  };
}

function childOf(parent: string, id: string): IndexedThreadInput {
  return row(id, {
    source: { subagent: { thread_spawn: { parent_thread_id: parent, depth: 1 } } },
    spawn: { parentThreadId: parent, depth: 1, agentPath: null, agentNickname: null, agentRole: null },
  });
}

function setup(opts: { search?: boolean; history?: boolean } = {}) {
  const db = schemaDb();
  const calls: string[] = [];
  const search = opts.search
    ? ({
        rowsChanged: () => void calls.push('search.rowsChanged'),
        setName: (id: string, name: string) => void calls.push(`search.setName:${id}:${name}`),
        removeThread: (id: string) => void calls.push(`search.removeThread:${id}:inTx=${db.inTransaction}`),
      } as unknown as ThreadSearcher)
    : null;
  const history = opts.history
    ? ({ deleteThread: (id: string) => void calls.push(`history.deleteThread:${id}:inTx=${db.inTransaction}`) } as unknown as ThreadHistoryStore)
    : null;
  let n = 0;
  const ids = { uuid4: () => `rev-${++n}`, uuid7: () => 'unused' };
  const state = new StateDb(prepareStateDbParts(db, manualClock(1_700_000_000_000), ids, 'openai', search), STARTUP, history);
  const count = (table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { db, state, calls, count, search, history };
}

describe('StateDb', () => {
  test('exposes what start-up did, the history store and the searcher', () => {
    const { state, search, history } = setup({ search: true, history: true });
    expect(state.startup).toBe(STARTUP);
    expect(state.search).toBe(search);
    expect(state.history).toBe(history);
    const bare = setup();
    expect(bare.state.search).toBeNull();
    expect(bare.state.history).toBeNull();
  });

  test('deleteThread removes every row of the thread in one transaction and tells history and search', () => {
    const { db, state, calls, count } = setup({ search: true, history: true });
    state.upsertThread(row(A));
    state.upsertThread(childOf(A, B));
    state.upsertThread(row(C));
    state.upsertSpawnEdge(C, A, 'closed'); // A as a child too
    db.prepare("INSERT INTO thread_dynamic_tools (thread_id, position, name, description, input_schema) VALUES (?, 0, 't', 'd', '{}'), (?, 0, 't', 'd', '{}')").run(A, C);
    state.recordCompletedTurn(A, 'turn-1');
    state.recordCompletedTurn(C, 'turn-1');
    calls.length = 0;

    state.deleteThread(A);
    expect(state.getThread(A)).toBeNull();
    expect(db.prepare('SELECT thread_id FROM thread_dynamic_tools').all()).toEqual([{ thread_id: C }]);
    expect(state.readState(A)).toBeNull();
    expect(state.readState(C)).not.toBeNull();
    expect(count('thread_spawn_edges')).toBe(0);
    expect(state.getThread(B)).not.toBeNull();
    expect(calls).toEqual([`history.deleteThread:${A}:inTx=true`, `search.removeThread:${A}:inTx=false`]);
  });

  test('deleteThread without history or search, and a failing history step rolls every delete back', () => {
    const bare = setup();
    bare.state.upsertThread(row(A));
    bare.state.deleteThread(A);
    expect(bare.state.getThread(A)).toBeNull();

    const { db, state } = setup();
    state.upsertThread(row(A));
    const failing = new StateDb(prepareStateDbParts(db, manualClock(0), { uuid4: () => 'r', uuid7: () => 'u' }, 'openai'), STARTUP, {
      deleteThread: () => {
        throw new Error('history is read-only');
      },
    } as unknown as ThreadHistoryStore);
    expect(() => failing.deleteThread(A)).toThrow('history is read-only');
    expect(state.getThread(A)).not.toBeNull();
    expect(db.inTransaction).toBe(false);
  });

  test('gitInfo is null without a row or with no Git field set, otherwise the three fields', () => {
    const { db, state } = setup();
    expect(state.gitInfo(A)).toBeNull();
    state.upsertThread(row(A));
    expect(state.gitInfo(A)).toBeNull();
    for (const [column, key] of [['git_sha', 'sha'], ['git_branch', 'branch'], ['git_origin_url', 'originUrl']] as const) {
      db.prepare('UPDATE threads SET git_sha = NULL, git_branch = NULL, git_origin_url = NULL').run();
      db.prepare(`UPDATE threads SET ${column} = 'v'`).run();
      expect(state.gitInfo(A)).toEqual({ sha: null, branch: null, originUrl: null, [key]: 'v' });
    }
  });

  test('updateGitInfo sets or clears only the given fields; false without a row', () => {
    const { state } = setup();
    expect(state.updateGitInfo(A, { sha: 'abc' })).toBe(false);
    expect(state.updateGitInfo(A, {})).toBe(false);
    state.upsertThread(row(A));
    expect(state.updateGitInfo(A, {})).toBe(true);
    expect(state.updateGitInfo(A, { sha: 'abc', originUrl: 'https://x/y.git' })).toBe(true);
    expect(state.gitInfo(A)).toEqual({ sha: 'abc', branch: null, originUrl: 'https://x/y.git' });
    expect(state.updateGitInfo(A, { branch: 'main', sha: undefined })).toBe(true);
    expect(state.gitInfo(A)).toEqual({ sha: 'abc', branch: 'main', originUrl: 'https://x/y.git' });
    expect(state.updateGitInfo(A, { sha: null, originUrl: null })).toBe(true);
    expect(state.gitInfo(A)).toEqual({ sha: null, branch: 'main', originUrl: null });
  });

  test('upsertThread records a sub-agent edge as open without reopening a closed one, and tells search', () => {
    const { db, state, calls } = setup({ search: true });
    state.upsertThread(row(A));
    expect(state.children(A)).toEqual([]);
    state.upsertThread(childOf(A, B));
    expect(state.children(A)).toEqual([B]);
    expect(state.descendants(A)).toEqual([B]);
    state.upsertSpawnEdge(A, B, 'closed');
    state.upsertThread(childOf(A, B));
    expect(calls).toEqual(['search.rowsChanged', 'search.rowsChanged', 'search.rowsChanged']);
    // The edge stayed closed.
    expect(db.prepare('SELECT status FROM thread_spawn_edges WHERE child_thread_id = ?').get(B)).toEqual({ status: 'closed' });
  });

  test('writes to threads mark the search index stale; setName also renames there', () => {
    const { state, calls } = setup({ search: true });
    state.upsertThread(row(A));
    expect(state.updateRolloutPath(A, '/h/archived_sessions/r.jsonl', true, 1_700_000_500_000)).toBe(true);
    expect(state.updateRolloutPath(B, '/h/x.jsonl', false, null)).toBe(false);
    expect(state.rolloutPath(A, true)).toBe('/h/archived_sessions/r.jsonl');
    state.recordTurn({ threadId: A, updatedAtMs: 1_700_000_600_000, recencyAtMs: null, tokensUsed: 5, model: 'm', firstUserMessage: null });
    expect(state.getThread(A)).toMatchObject({ tokensUsed: 5, model: 'm', archived: true });
    state.setName(A, 'named', 1_700_000_700_000);
    expect(state.getThread(A)?.name).toBe('named');
    expect(calls).toEqual([
      'search.rowsChanged', 'search.rowsChanged', 'search.rowsChanged', 'search.rowsChanged', 'search.rowsChanged',
      `search.setName:${A}:named`,
    ]);
  });

  test('without a search index every write still works', () => {
    const { state } = setup();
    state.upsertThread(row(A));
    expect(state.updateRolloutPath(A, '/h/archived_sessions/r.jsonl', true, null)).toBe(true);
    state.recordTurn({ threadId: A, updatedAtMs: 1_700_000_600_000, recencyAtMs: null, tokensUsed: 9, model: null, firstUserMessage: null });
    state.setName(A, 'plain', 1_700_000_700_000);
    expect(state.getThread(A)).toMatchObject({ archived: true, tokensUsed: 9, name: 'plain' });
  });

  test('listThreads reads through the lister (rows whose file is gone are left out)', () => {
    const { state } = setup();
    state.upsertThread(row(A));
    expect(
      state.listThreads({
        archived: false, sortKey: 'created_at', sortDirection: 'desc', after: null, limit: 10, sourceKinds: [], modelProviders: null,
        cwds: null, searchTerm: null, requirePreview: false,
      }),
    ).toEqual([]);
  });

  test('backfill state and read receipts; a completed turn takes a generated revision unless given one', () => {
    const { state } = setup();
    expect(state.backfillState().status).toBe('pending');
    state.markBackfillComplete('sessions/w');
    expect(state.backfillState()).toMatchObject({ status: 'complete', lastWatermark: 'sessions/w' });
    state.recordCompletedTurn(A, 'turn-1');
    expect(state.readState(A)).toEqual({ firstUnreadTurnId: 'turn-1', revision: 'rev-1' });
    state.recordCompletedTurn(A, 'turn-2', 'given');
    expect(state.readState(A)).toEqual({ firstUnreadTurnId: 'turn-1', revision: 'given' });
  });

  test('close is idempotent and closes the connection', () => {
    const { db, state } = setup();
    state.close();
    expect(db.open).toBe(false);
    expect(() => state.close()).not.toThrow();
    expect(() => state.getThread(A)).toThrow();
  });
});
