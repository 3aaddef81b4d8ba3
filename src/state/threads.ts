import type Database from 'better-sqlite3';
import type { IndexedThread, IndexedThreadInput, TurnIndexUpdate } from '../rollout/thread-index.js';
import { rowParams, THREAD_COLUMNS, threadFromRecord, type ThreadRecord, type ThreadRowParams } from './thread-rows.js';
import { prepareOnUse, type Prepared } from './prepared.js';

// Columns written by an upsert and their values: `$x` is the row parameter `x` (see `ThreadRowParams`).
// `title` = `first_user_message` = `preview` (SPEC §8.1); history and memory mode are set on insert only.
const UPSERT_COLUMNS: [string, string][] = [
  ['id', '$id'], ['rollout_path', '$rollout_path'],
  ['created_at', '$created_at'], ['created_at_ms', '$created_at_ms'],
  ['updated_at', '$updated_at'], ['updated_at_ms', '$updated_at_ms'],
  ['recency_at', '$recency_at'], ['recency_at_ms', '$recency_at_ms'],
  ['source', '$source'], ['model_provider', '$model_provider'], ['model', '$model'], ['cwd', '$cwd'],
  ['title', '$preview'], ['first_user_message', '$preview'], ['preview', '$preview'], ['name', '$name'],
  ['sandbox_policy', '$sandbox_policy'], ['approval_mode', '$approval_mode'], ['tokens_used', '$tokens_used'],
  ['archived', '$archived'], ['archived_at', '$archived_at'], ['cli_version', '$cli_version'],
  ['originator', '$originator'], ['history_mode', "'paginated'"], ['memory_mode', "'enabled'"],
  ['agent_nickname', '$agent_nickname'], ['agent_role', '$agent_role'], ['agent_path', '$agent_path'],
];
const UPSERT_HEAD = `INSERT INTO threads (${UPSERT_COLUMNS.map(([column]) => column).join(', ')})`;
const UPSERT_VALUES = UPSERT_COLUMNS.map(([, value]) => value);
const INSERT_ONLY = new Set(['id', 'history_mode', 'memory_mode']);
// `name` survives a rebuild from the file, which never holds it. Git info, sections, pins and the other
// columns this server does not own are never touched by an update.
const UPSERT_CONFLICT = `ON CONFLICT(id) DO UPDATE SET ${UPSERT_COLUMNS.filter(([column]) => !INSERT_ONLY.has(column))
  .map(([column]) => (column === 'name' ? 'name = COALESCE(excluded.name, threads.name)' : `${column} = excluded.${column}`))
  .join(', ')}`;

/**
 * Prepared statements over `threads`. Writes run in SQLite's own implicit transaction (one statement each);
 * callers that need several statements atomically wrap them in `StateDb`'s immediate transactions.
 */
export class ThreadsTable {
  private readonly selectPath: Prepared<[string, number], { rollout_path: string }>;
  private readonly selectThread: Prepared<[string], ThreadRecord>;
  private readonly upsert: Prepared<ThreadRowParams>;
  private readonly upsertBatch: Prepared<[string]>;
  private readonly updatePath: Prepared<{ path: string; archived: number; archived_at: number | null; id: string }>;
  private readonly updateTurn: Prepared<TurnParams>;
  private readonly updateName: Prepared<[string, number, number, string]>;

  constructor(
    db: Database.Database,
    private readonly defaultModelProvider: string,
  ) {
    this.selectPath = prepareOnUse(db, 'SELECT rollout_path FROM threads WHERE id = ? AND archived = ?');
    this.selectThread = prepareOnUse(db, `SELECT ${THREAD_COLUMNS} FROM threads WHERE id = ?`);
    this.upsert = prepareOnUse(db, `${UPSERT_HEAD} VALUES (${UPSERT_VALUES.map((v) => v.replace(/^\$/, '@')).join(', ')}) ${UPSERT_CONFLICT}`);
    // One statement for a whole batch: SQLite sets up the threads triggers once per statement, not per row,
    // which makes a 200-row batch about three times cheaper than 200 single-row upserts.
    this.upsertBatch = prepareOnUse(db, 
      `${UPSERT_HEAD} SELECT ${UPSERT_VALUES.map((v) => (v.startsWith('$') ? `j.value ->> '${v.slice(1)}'` : v)).join(', ')}
       FROM json_each(?) AS j WHERE true ${UPSERT_CONFLICT}`,
    );
    // SPEC §8.3 read-repair: `archived_at` is set when archived and still empty, cleared when active.
    this.updatePath = prepareOnUse(db, `
      UPDATE threads
      SET rollout_path = @path, archived = @archived,
          archived_at = CASE WHEN @archived = 1 THEN COALESCE(archived_at, @archived_at) ELSE NULL END
      WHERE id = @id`);
    this.updateTurn = prepareOnUse(db, `
      UPDATE threads SET
        updated_at = @updated_at, updated_at_ms = @updated_at_ms,
        recency_at = COALESCE(@recency_at, recency_at), recency_at_ms = COALESCE(@recency_at_ms, recency_at_ms),
        tokens_used = @tokens_used, model = COALESCE(@model, model),
        title = CASE WHEN preview = '' AND @first IS NOT NULL THEN @first ELSE title END,
        first_user_message = CASE WHEN preview = '' AND @first IS NOT NULL THEN @first ELSE first_user_message END,
        preview = CASE WHEN preview = '' AND @first IS NOT NULL THEN @first ELSE preview END
      WHERE id = @id`);
    this.updateName = prepareOnUse(db, 'UPDATE threads SET name = ?, updated_at = ?, updated_at_ms = ? WHERE id = ?');
  }

  rolloutPath(threadId: string, archived: boolean): string | null {
    return this.selectPath.get(threadId, archived ? 1 : 0)?.rollout_path ?? null;
  }

  get(threadId: string): IndexedThread | null {
    const record = this.selectThread.get(threadId);
    return record ? threadFromRecord(record) : null;
  }

  upsertThread(row: IndexedThreadInput): void {
    this.upsert.run(rowParams(row, this.defaultModelProvider));
  }

  /** Upserts rows in array order (a later row with the same id wins), in one statement. */
  upsertThreads(rows: readonly IndexedThreadInput[]): void {
    if (rows.length === 0) return;
    this.upsertBatch.run(JSON.stringify(rows.map((row) => rowParams(row, this.defaultModelProvider))));
  }

  updateRolloutPath(threadId: string, rolloutPath: string, archived: boolean, archivedAtMs: number | null): boolean {
    const archivedAt = archivedAtMs === null ? null : Math.floor(archivedAtMs / 1000);
    return this.updatePath.run({ path: rolloutPath, archived: archived ? 1 : 0, archived_at: archivedAt, id: threadId }).changes > 0;
  }

  recordTurn(update: TurnIndexUpdate): void {
    this.updateTurn.run({
      id: update.threadId,
      updated_at: Math.floor(update.updatedAtMs / 1000),
      updated_at_ms: Math.trunc(update.updatedAtMs),
      recency_at: update.recencyAtMs === null ? null : Math.floor(update.recencyAtMs / 1000),
      recency_at_ms: update.recencyAtMs === null ? null : Math.trunc(update.recencyAtMs),
      tokens_used: Math.trunc(update.tokensUsed),
      model: update.model,
      first: update.firstUserMessage,
    });
  }

  setName(threadId: string, name: string, updatedAtMs: number): void {
    this.updateName.run(name, Math.floor(updatedAtMs / 1000), Math.trunc(updatedAtMs), threadId);
  }
}

interface TurnParams {
  id: string;
  updated_at: number;
  updated_at_ms: number;
  recency_at: number | null;
  recency_at_ms: number | null;
  tokens_used: number;
  model: string | null;
  first: string | null;
}
