import type Database from 'better-sqlite3';
import type { IndexedThread, IndexedThreadInput, TurnIndexUpdate } from '../rollout/thread-index.js';
import { MultiRowInsert } from './multi-row.js';
import { prepareOnUse, type Prepared } from './prepared.js';
import { rowParams, THREAD_COLUMNS, threadFromRow, type ThreadRow, type ThreadRowParams } from './thread-rows.js';

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
/** The row parameters of one row of a multi-row upsert, in placeholder order. */
const UPSERT_PARAMS = UPSERT_VALUES.filter((v) => v.startsWith('$')).map((v) => v.slice(1) as keyof ThreadRowParams);
/** Rows per multi-row upsert statement: 50 × 26 parameters, far below SQLite's limit of 32,766. */
const UPSERT_CHUNK_ROWS = 50;
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
  /** Raw rows (`ThreadRow`): asked once per listed file by the default `thread/list` path. */
  private readonly selectThread: Prepared<[string], ThreadRow>;
  private readonly upsert: Prepared<ThreadRowParams>;
  private readonly upsertMany: MultiRowInsert;
  private readonly updatePath: Prepared<{ path: string; archived: number; archived_at: number | null; id: string }>;
  private readonly updateTurn: Prepared<TurnParams>;
  private readonly updateName: Prepared<[string, number, number, string]>;

  constructor(
    db: Database.Database,
    private readonly defaultModelProvider: string,
  ) {
    this.selectPath = prepareOnUse(db, 'SELECT rollout_path FROM threads WHERE id = ? AND archived = ?');
    this.selectThread = prepareOnUse(db, `SELECT ${THREAD_COLUMNS} FROM threads WHERE id = ?`, { raw: true });
    this.upsert = prepareOnUse(db, `${UPSERT_HEAD} VALUES (${UPSERT_VALUES.map((v) => v.replace(/^\$/, '@')).join(', ')}) ${UPSERT_CONFLICT}`);
    this.upsertMany = new MultiRowInsert(db, UPSERT_HEAD, `(${UPSERT_VALUES.map((v) => (v.startsWith('$') ? '?' : v)).join(', ')})`, UPSERT_CONFLICT, UPSERT_CHUNK_ROWS);
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
    const row = this.selectThread.get(threadId);
    return row ? threadFromRow(row) : null;
  }

  upsertThread(row: IndexedThreadInput): void {
    this.upsert.run(rowParams(row, this.defaultModelProvider));
  }

  /** Upserts rows in array order (a later row with the same id wins), in one statement. */
  /**
   * Upserts rows with multi-row statements, values bound by position (`MultiRowInsert`); later rows with the same
   * id win. The earlier `json_each` form re-parsed each row's JSON object for every column: 15 s of CPU for the
   * 100,000 rows of a large backfill, against 5 s.
   */
  upsertThreads(rows: readonly IndexedThreadInput[]): void {
    const values: unknown[] = [];
    for (const row of rows) {
      const params = rowParams(row, this.defaultModelProvider);
      for (const key of UPSERT_PARAMS) values.push(params[key]);
    }
    this.upsertMany.run(values);
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
