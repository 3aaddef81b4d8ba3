import type Database from 'better-sqlite3';
import type { IndexedThread, IndexedThreadInput, TurnIndexUpdate } from '../rollout/thread-index.js';
import { rowParams, THREAD_COLUMNS, threadFromRecord, type ThreadRecord, type ThreadRowParams } from './thread-rows.js';

/**
 * Prepared statements over `threads`. Writes run in SQLite's own implicit transaction (one statement each);
 * callers that need several statements atomically wrap them in `StateDb`'s immediate transactions.
 */
export class ThreadsTable {
  private readonly selectPath: Database.Statement<[string, number], { rollout_path: string }>;
  private readonly selectThread: Database.Statement<[string], ThreadRecord>;
  private readonly upsert: Database.Statement<ThreadRowParams>;
  private readonly updatePath: Database.Statement<[string, number, number | null, string]>;
  private readonly updateTurn: Database.Statement<TurnParams>;
  private readonly updateName: Database.Statement<[string, number, number, string]>;

  constructor(
    db: Database.Database,
    private readonly defaultModelProvider: string,
  ) {
    this.selectPath = db.prepare('SELECT rollout_path FROM threads WHERE id = ? AND archived = ?');
    this.selectThread = db.prepare(`SELECT ${THREAD_COLUMNS} FROM threads WHERE id = ?`);
    // `name` survives a rebuild from the file (the file never holds it); git info, memory mode, history mode,
    // sections and pins are never touched by an update. `title` = `first_user_message` = `preview` (SPEC §8.1).
    this.upsert = db.prepare(`
      INSERT INTO threads (
        id, rollout_path, created_at, created_at_ms, updated_at, updated_at_ms, recency_at, recency_at_ms,
        source, model_provider, model, cwd, title, first_user_message, preview, name, sandbox_policy,
        approval_mode, tokens_used, archived, archived_at, cli_version, originator, history_mode, memory_mode,
        agent_nickname, agent_role, agent_path
      ) VALUES (
        @id, @rollout_path, @created_at, @created_at_ms, @updated_at, @updated_at_ms, @recency_at, @recency_at_ms,
        @source, @model_provider, @model, @cwd, @preview, @preview, @preview, @name, @sandbox_policy,
        @approval_mode, @tokens_used, @archived, @archived_at, @cli_version, @originator, 'paginated', 'enabled',
        @agent_nickname, @agent_role, @agent_path
      )
      ON CONFLICT(id) DO UPDATE SET
        rollout_path = excluded.rollout_path,
        created_at = excluded.created_at, created_at_ms = excluded.created_at_ms,
        updated_at = excluded.updated_at, updated_at_ms = excluded.updated_at_ms,
        recency_at = excluded.recency_at, recency_at_ms = excluded.recency_at_ms,
        source = excluded.source, model_provider = excluded.model_provider, model = excluded.model,
        cwd = excluded.cwd, title = excluded.title, first_user_message = excluded.first_user_message,
        preview = excluded.preview, name = COALESCE(excluded.name, threads.name),
        sandbox_policy = excluded.sandbox_policy, approval_mode = excluded.approval_mode,
        tokens_used = excluded.tokens_used, archived = excluded.archived, archived_at = excluded.archived_at,
        cli_version = excluded.cli_version, originator = excluded.originator,
        agent_nickname = excluded.agent_nickname, agent_role = excluded.agent_role, agent_path = excluded.agent_path`);
    this.updatePath = db.prepare(`
      UPDATE threads SET rollout_path = ?, archived = ?, archived_at = ? WHERE id = ?`);
    this.updateTurn = db.prepare(`
      UPDATE threads SET
        updated_at = @updated_at, updated_at_ms = @updated_at_ms,
        recency_at = COALESCE(@recency_at, recency_at), recency_at_ms = COALESCE(@recency_at_ms, recency_at_ms),
        tokens_used = @tokens_used, model = COALESCE(@model, model),
        title = CASE WHEN preview = '' AND @first IS NOT NULL THEN @first ELSE title END,
        first_user_message = CASE WHEN preview = '' AND @first IS NOT NULL THEN @first ELSE first_user_message END,
        preview = CASE WHEN preview = '' AND @first IS NOT NULL THEN @first ELSE preview END
      WHERE id = @id`);
    this.updateName = db.prepare('UPDATE threads SET name = ?, updated_at = ?, updated_at_ms = ? WHERE id = ?');
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

  updateRolloutPath(threadId: string, rolloutPath: string, archived: boolean, archivedAtMs: number | null): boolean {
    const archivedAt = archivedAtMs === null ? null : Math.floor(archivedAtMs / 1000);
    return this.updatePath.run(rolloutPath, archived ? 1 : 0, archivedAt, threadId).changes > 0;
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
