import type Database from 'better-sqlite3';
import type {
  IndexedThread,
  IndexedThreadInput,
  IndexListQuery,
  ThreadIndex,
  TurnIndexUpdate,
} from '../rollout/thread-index.js';
import type { Clock } from '../support/clock.js';
import type { IdSource } from '../support/ids.js';
import { attachedImmediateTransaction } from './attached-transaction.js';
import type { BackfillStats } from './backfill.js';
import type { ThreadHistoryStore } from './history-projection-store.js';
import { BackfillLease, type BackfillState } from './lease.js';
import { ThreadLister } from './list.js';
import { ReadReceipts, type ReadReceipt } from './read-receipts.js';
import { SpawnEdges, type SpawnEdgeStatus } from './spawn-edges.js';
import { ThreadsTable } from './threads.js';
import type { ThreadSearcher } from './thread-search.js';
import { prepareOnUse, type Prepared } from './prepared.js';

/** What start-up did before handing out the handle. */
export interface StateDbStartup {
  /** `created`: this process created the schema; `existing`: it was there (ours or the reference's). */
  schema: 'created' | 'existing';
  /** The backfill this process ran, or null when it was already complete or another process ran it. */
  backfill: BackfillStats | null;
  /** Time spent waiting for another process's backfill (0 when none). */
  waitedMs: number;
}

/** The parts `openStateDb` builds on one connection; the backfill uses the same ones before the handle exists. */
export interface StateDbParts {
  db: Database.Database;
  ids: IdSource;
  lease: BackfillLease;
  threads: ThreadsTable;
  edges: SpawnEdges;
  /** The full-text search index (issue 18), or null when it cannot be used (no FTS5, disabled). */
  search: ThreadSearcher | null;
}

/** Prepares every statement on `db` (the schema must be in place). */
export function prepareStateDbParts(
  db: Database.Database,
  clock: Clock,
  ids: IdSource,
  defaultModelProvider: string,
  search: ThreadSearcher | null = null,
): StateDbParts {
  return {
    search,
    db,
    ids,
    lease: new BackfillLease(db, clock),
    threads: new ThreadsTable(db, defaultModelProvider),
    edges: new SpawnEdges(db),
  };
}

/**
 * The process's one handle on `CODEX_HOME/state_5.sqlite`. Obtain it from `openStateDb`, which returns it
 * only after the rollout backfill is complete. Implements the rollout store's `ThreadIndex` port and adds
 * spawn edges, backfill state and read receipts. Every statement is prepared once, on its first use (see
 * `prepareOnUse`); calls are synchronous and throw only when SQLite fails (callers treat that as "no index
 * answer"). Multi-statement writes use IMMEDIATE transactions so concurrent processes wait on the busy timeout
 * instead of failing.
 */
const DELETE_THREAD_SQL = [
  'DELETE FROM threads WHERE id = ?',
  'DELETE FROM thread_dynamic_tools WHERE thread_id = ?',
  'DELETE FROM thread_read_receipts WHERE thread_id = ?',
];

export class StateDb implements ThreadIndex {
  private readonly db: Database.Database;
  private readonly ids: IdSource;
  private readonly lease: BackfillLease;
  private readonly threads: ThreadsTable;
  private readonly lister: ThreadLister;
  private readonly edges: SpawnEdges;
  private readonly receipts: ReadReceipts;
  private readonly upsertWithEdge: Database.Transaction<(row: IndexedThreadInput) => void>;
  /** Asked for every thread a listing or read answers: prepared once, on first use (preparing costs more than the lookup). */
  private readonly selectGitInfo: Prepared<[string], { sha: string | null; branch: string | null; originUrl: string | null }>;
  /** The same for a listed page at once: one statement instead of one per thread. */
  private readonly selectGitInfos: Prepared<[string], { id: string; sha: string | null; branch: string | null; originUrl: string | null }>;
  /** Full-text search over threads (`thread/search`), or null: callers then scan the rollouts. */
  readonly search: ThreadSearcher | null;

  constructor(
    parts: StateDbParts,
    /** What start-up did before handing out this handle. */
    readonly startup: StateDbStartup,
    /** The attached `thread_history_1.sqlite` projection, or null when it cannot be used. */
    readonly history: ThreadHistoryStore | null = null,
  ) {
    this.db = parts.db;
    this.ids = parts.ids;
    this.lease = parts.lease;
    this.threads = parts.threads;
    this.edges = parts.edges;
    // Made here, after `openStateDb` attached the history file, and their statements prepared on first use: an
    // ATTACH expires every statement prepared before it, and SQLite would re-prepare each inside the first listing
    // request that runs it (≈ 0.1–0.3 ms per listing statement). The backfill, which runs before the ATTACH, needs neither.
    this.lister = new ThreadLister(parts.db);
    this.receipts = new ReadReceipts(parts.db);
    this.search = parts.search;
    this.selectGitInfo = prepareOnUse(parts.db, 'SELECT git_sha AS sha, git_branch AS branch, git_origin_url AS originUrl FROM threads WHERE id = ?');
    this.selectGitInfos = prepareOnUse(parts.db, `
      SELECT id, git_sha AS sha, git_branch AS branch, git_origin_url AS originUrl FROM threads
      WHERE id IN (SELECT value FROM json_each(?))
        AND (git_sha IS NOT NULL OR git_branch IS NOT NULL OR git_origin_url IS NOT NULL)`);
    this.upsertWithEdge = parts.db.transaction((row: IndexedThreadInput) => {
      this.threads.upsertThread(row);
      if (row.spawn) this.edges.ensureEdge(row.spawn.parentThreadId, row.id, 'open');
    });
  }

  // ThreadIndex

  /**
   * `thread/delete`: the thread's rows go (its `threads` row, which cascades to its dynamic tools, its spawn edges
   * either way, its read receipt, and its `thread_history_1` projection), in one transaction.
   */
  deleteThread(threadId: string): void {
    // Created here, after the ATTACH, so its BEGIN write-locks `history` too (see attachedImmediateTransaction).
    attachedImmediateTransaction(this.db, () => {
      for (const sql of DELETE_THREAD_SQL) this.db.prepare(sql).run(threadId);
      this.db.prepare('DELETE FROM thread_spawn_edges WHERE parent_thread_id = ? OR child_thread_id = ?').run(threadId, threadId);
      this.history?.deleteThread(threadId);
    })();
    // The search index is a cache over the same rows: a deleted thread must not be found again.
    this.search?.removeThread(threadId);
  }

  /** The thread's stored Git metadata (`threads.git_*`), or null when it has no row or none is set. */
  gitInfo(threadId: string): { sha: string | null; branch: string | null; originUrl: string | null } | null {
    const row = this.selectGitInfo.get(threadId);
    if (!row || (row.sha === null && row.branch === null && row.originUrl === null)) return null;
    return row;
  }

  /** `gitInfo` of each thread in one statement (ids bound as a JSON array): only threads with some metadata are in the map. */
  gitInfos(threadIds: readonly string[]): Map<string, { sha: string | null; branch: string | null; originUrl: string | null }> {
    const infos = new Map<string, { sha: string | null; branch: string | null; originUrl: string | null }>();
    if (threadIds.length === 0) return infos;
    for (const { id, sha, branch, originUrl } of this.selectGitInfos.all(JSON.stringify(threadIds))) infos.set(id, { sha, branch, originUrl });
    return infos;
  }

  /** Sets (string) or clears (null) the given Git fields of the thread's row; false when it has no row. */
  updateGitInfo(threadId: string, patch: { sha?: string | null; branch?: string | null; originUrl?: string | null }): boolean {
    const columns = { sha: 'git_sha', branch: 'git_branch', originUrl: 'git_origin_url' } as const;
    const sets = (Object.keys(columns) as (keyof typeof columns)[]).filter((key) => patch[key] !== undefined);
    if (sets.length === 0) return this.threads.get(threadId) !== null;
    const sql = `UPDATE threads SET ${sets.map((key) => `${columns[key]} = @${key}`).join(', ')} WHERE id = @id`;
    return this.db.prepare(sql).run({ id: threadId, ...Object.fromEntries(sets.map((key) => [key, patch[key]])) }).changes > 0;
  }

  rolloutPath(threadId: string, archived: boolean): string | null {
    return this.threads.rolloutPath(threadId, archived);
  }

  getThread(threadId: string): IndexedThread | null {
    return this.threads.get(threadId);
  }

  // Every write to `threads` tells the search index, which re-reads what it lags behind before the next search.

  upsertThread(row: IndexedThreadInput): void {
    this.upsertWithEdge.immediate(row);
    this.search?.rowsChanged();
  }

  updateRolloutPath(threadId: string, rolloutPath: string, archived: boolean, archivedAtMs: number | null): boolean {
    const updated = this.threads.updateRolloutPath(threadId, rolloutPath, archived, archivedAtMs);
    this.search?.rowsChanged();
    return updated;
  }

  recordTurn(update: TurnIndexUpdate): void {
    this.threads.recordTurn(update);
    this.search?.rowsChanged();
  }

  setName(threadId: string, name: string, updatedAtMs: number): void {
    this.threads.setName(threadId, name, updatedAtMs);
    this.search?.rowsChanged();
    this.search?.setName(threadId, name);
  }

  listThreads(query: IndexListQuery): IndexedThread[] {
    return this.lister.list(query);
  }

  descendants(parentId: string): string[] {
    return this.edges.descendants(parentId);
  }

  // Spawn edges

  upsertSpawnEdge(parentId: string, childId: string, status: SpawnEdgeStatus): void {
    this.edges.upsertEdge(parentId, childId, status);
  }

  /** Direct children of `parentId` through edges of any status, ids ascending. */
  children(parentId: string): string[] {
    return this.edges.children(parentId);
  }

  // Backfill state

  /** Marks the rollout backfill complete (tests seed a home this way, as the reference's tests do). */
  markBackfillComplete(lastWatermark: string | null): void {
    this.lease.markComplete(lastWatermark);
  }

  backfillState(): BackfillState {
    return this.lease.read();
  }

  // Read receipts

  /** The stored read receipt, or null when the thread has none. */
  readState(threadId: string): ReadReceipt | null {
    return this.receipts.get(threadId);
  }

  /** `readState` of each thread in one statement; threads without a receipt are not in the map. */
  readStates(threadIds: readonly string[]): Map<string, ReadReceipt> {
    return this.receipts.getMany(threadIds);
  }

  /** Records a completed turn: it becomes first unread unless an earlier one is still unread. */
  recordCompletedTurn(threadId: string, turnId: string, revision: string = this.ids.uuid4()): void {
    this.receipts.recordCompletedTurn(threadId, turnId, revision);
  }

  /** Closes the connection (checkpointing the WAL when this is the last one). Idempotent. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
