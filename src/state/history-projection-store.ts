import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { monotonicMs } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { threadHistorySchemaSql } from './history-schema-sql.js';
import { THREAD_HISTORY_MIGRATIONS } from './migration-records.js';
import { recordMigrations } from './migrations.js';
import { errorText } from './error-text.js';
import { attachedImmediateTransaction } from './attached-transaction.js';
import type { HistoryCheckpoint, ProjectionUpdate, ThreadHistoryProjection } from './history-projection-port.js';

/** The reference 0.169.0's paginated-history projection in CODEX_HOME. */
import { HistoryPages } from './history-pages.js';
import { prepareOnUse, type Prepared } from './prepared.js';

export const THREAD_HISTORY_DB_FILE = 'thread_history_1.sqlite';
/** The name it is attached under on the state connection. */
const SCHEMA = 'history';
const WAL_RETRY_MS = 10;
const WAL_RETRY_LIMIT_MS = 5_000;

/** The columns this server writes; a database lacking any of them is left alone. */
const REQUIRED_COLUMNS: Record<string, readonly string[]> = {
  thread_turns: [
    'thread_id', 'turn_id', 'rollout_ordinal', 'status', 'error_json', 'started_at', 'completed_at', 'duration_ms',
    'first_user_item_id', 'final_agent_item_id', 'rollout_byte_offset', 'rollout_end_ordinal', 'rollout_end_byte_offset', 'root_turn_id',
  ],
  thread_items: [
    'thread_id', 'turn_id', 'item_id', 'rollout_ordinal', 'created_at_ms', 'item_json', 'item_type', 'updated_at_ordinal',
    'started_at_ms', 'completed_at_ms',
  ],
  thread_history_projection_state: ['thread_id', 'next_rollout_byte_offset', 'next_rollout_ordinal'],
};

/**
 * Attaches `CODEX_HOME/thread_history_1.sqlite` to the state connection as `history` (creating it with the
 * reference's schema and `_sqlx_migrations` rows when it is missing or empty) and returns the projection
 * store. Never throws: when the file cannot be attached, is not a database, or has a schema without the
 * columns we write, it logs a warning, detaches it, and returns null (the server then runs without the
 * projection; the reference rebuilds it from the rollouts when it loads a thread).
 */
export async function attachThreadHistory(db: Database.Database, codexHome: string, log: Logger): Promise<ThreadHistoryStore | null> {
  const file = path.join(codexHome, THREAD_HISTORY_DB_FILE);
  try {
    db.prepare(`ATTACH DATABASE ? AS ${SCHEMA}`).run(file);
  } catch (err) {
    log.warn(`thread history db at ${file} cannot be attached: ${errorText(err)}; continuing without the history projection`);
    return null;
  }
  try {
    const mode = String(await switchToWal(db)).toLowerCase();
    if (mode !== 'wal') throw new Error(`cannot switch to WAL journal mode (got ${mode})`);
    db.pragma(`${SCHEMA}.synchronous = NORMAL`);
    if (objectCount(db) === 0) {
      // Its BEGIN takes the attached file's write lock too (a cached `.immediate()` would not, see the helper).
      attachedImmediateTransaction(db, () => {
        // Re-checked under the write lock: another process (ours or the reference) may have created it meanwhile.
        if (objectCount(db) > 0) return;
        db.exec(threadHistorySchemaSql(SCHEMA));
        recordMigrations(db, THREAD_HISTORY_MIGRATIONS, SCHEMA);
      })();
    }
    const missing = missingColumns(db);
    if (missing.length > 0) {
      log.warn(`thread history db at ${file} cannot be used: schema lacks ${missing.join(', ')}; continuing without the history projection`);
      detachQuietly(db);
      return null;
    }
    return new ThreadHistoryStore(db);
  } catch (err) {
    log.warn(`thread history db at ${file} cannot be used: ${errorText(err)}; continuing without the history projection`);
    detachQuietly(db);
    return null;
  }
}

/**
 * The rows of `thread_history_1.sqlite` this server maintains, with the reference's semantics: a turn row is
 * created by the first line that names the turn and keeps that line's ordinal and byte offset; a terminal
 * line (completed, interrupted, failed) sets the end ordinal and end offset once; an item row keeps the
 * ordinal of its first `item_completed` line; the turn's first user item and final agent item are kept on
 * the turn row. Every `apply` is one IMMEDIATE transaction that also moves the thread's checkpoint.
 */
export class ThreadHistoryStore implements ThreadHistoryProjection {
  private readonly selectCheckpoint: Prepared<[string], { offset: number; ordinal: number }>;
  private readonly deleteItems: Prepared<[string]>;
  private readonly deleteTurns: Prepared<[string]>;
  private readonly deleteCheckpoint: Prepared<[string]>;
  private readonly upsertTurn: Prepared;
  private readonly fillTurnSummary: Prepared;
  private readonly upsertItem: Prepared;
  private readonly noteFirstUserItem: Prepared;
  private readonly noteFinalAnswer: Prepared;
  private readonly saveCheckpoint: Prepared<[string, number, number]>;
  private readonly applyTx: (threadId: string, update: ProjectionUpdate) => boolean;
  /** Paged reads of the projection (`thread/turns/list`, `thread/items/list`, the resume cursors). */
  readonly pages: HistoryPages;

  constructor(db: Database.Database) {
    const h = SCHEMA;
    this.pages = new HistoryPages(db, SCHEMA);
    this.selectCheckpoint = prepareOnUse(db, 
      `SELECT next_rollout_byte_offset AS offset, next_rollout_ordinal AS ordinal FROM ${h}.thread_history_projection_state WHERE thread_id = ?`,
    );
    this.deleteItems = prepareOnUse(db, `DELETE FROM ${h}.thread_items WHERE thread_id = ?`);
    this.deleteTurns = prepareOnUse(db, `DELETE FROM ${h}.thread_turns WHERE thread_id = ?`);
    // Its trigger also drops the thread's realtime items, as in the reference's rebuild.
    this.deleteCheckpoint = prepareOnUse(db, `DELETE FROM ${h}.thread_history_projection_state WHERE thread_id = ?`);
    this.upsertTurn = prepareOnUse(db, `
      INSERT INTO ${h}.thread_turns (
        thread_id, turn_id, rollout_ordinal, rollout_byte_offset, rollout_end_ordinal, rollout_end_byte_offset,
        status, error_json, started_at, completed_at, duration_ms, root_turn_id
      ) VALUES (
        @threadId, @turnId, @ordinal, @startOffset, @endOrdinal, @endOffset,
        @status, @errorJson, @startedAt, @completedAt, @durationMs, @rootTurnId
      )
      ON CONFLICT (thread_id, turn_id) DO UPDATE SET
        rollout_end_ordinal = excluded.rollout_end_ordinal,
        rollout_end_byte_offset = excluded.rollout_end_byte_offset,
        status = excluded.status,
        error_json = excluded.error_json,
        started_at = excluded.started_at,
        completed_at = excluded.completed_at,
        duration_ms = excluded.duration_ms,
        root_turn_id = COALESCE(excluded.root_turn_id, thread_turns.root_turn_id)
      WHERE thread_turns.rollout_end_ordinal IS NULL AND thread_turns.status = 'inProgress'`);
    // Items stored before their turn row (or before it ended) still name the turn's first user message and
    // final agent message: an agent message marked `final_answer`, else (once the turn ended) the last one
    // without a phase.
    const itemOfTurn = (type: string) =>
      `FROM ${h}.thread_items i WHERE i.thread_id = @threadId AND i.turn_id = @turnId
         AND (i.item_type = '${type}' OR (i.item_type = '' AND json_extract(i.item_json, '$.type') = '${type}'))`;
    this.fillTurnSummary = prepareOnUse(db, `
      UPDATE ${h}.thread_turns SET
        first_user_item_id = COALESCE(first_user_item_id, (SELECT i.item_id ${itemOfTurn('userMessage')} ORDER BY i.rollout_ordinal LIMIT 1)),
        final_agent_item_id = COALESCE(
          (SELECT i.item_id ${itemOfTurn('agentMessage')} AND json_extract(i.item_json, '$.phase') = 'final_answer' ORDER BY i.rollout_ordinal DESC LIMIT 1),
          CASE WHEN status IN ('completed', 'interrupted', 'failed') THEN
            (SELECT i.item_id ${itemOfTurn('agentMessage')} AND json_extract(i.item_json, '$.phase') IS NULL ORDER BY i.rollout_ordinal DESC LIMIT 1)
          END,
          final_agent_item_id
        )
      WHERE thread_id = @threadId AND turn_id = @turnId AND (rollout_end_ordinal = @ordinal OR status = 'inProgress')`);
    this.upsertItem = prepareOnUse(db, `
      INSERT INTO ${h}.thread_items (
        thread_id, turn_id, item_id, rollout_ordinal, updated_at_ordinal, created_at_ms, started_at_ms, completed_at_ms, item_type, item_json
      ) VALUES (
        @threadId, @turnId, @itemId, @ordinal, @ordinal, @createdAtMs, @startedAtMs, @completedAtMs, json_extract(@itemJson, '$.type'), @itemJson
      )
      ON CONFLICT (thread_id, turn_id, item_id) DO UPDATE SET
        updated_at_ordinal = excluded.updated_at_ordinal,
        started_at_ms = COALESCE(thread_items.started_at_ms, excluded.started_at_ms),
        completed_at_ms = COALESCE(thread_items.completed_at_ms, excluded.completed_at_ms),
        item_type = excluded.item_type,
        item_json = excluded.item_json`);
    const openTurn = `thread_id = @threadId AND turn_id = @turnId AND rollout_end_ordinal IS NULL AND status = 'inProgress'`;
    this.noteFirstUserItem = prepareOnUse(db, `
      UPDATE ${h}.thread_turns SET first_user_item_id = COALESCE(first_user_item_id, @itemId)
      WHERE ${openTurn} AND json_extract(@itemJson, '$.type') = 'userMessage'`);
    this.noteFinalAnswer = prepareOnUse(db, `
      UPDATE ${h}.thread_turns SET final_agent_item_id = @itemId
      WHERE ${openTurn} AND json_extract(@itemJson, '$.type') = 'agentMessage' AND json_extract(@itemJson, '$.phase') = 'final_answer'`);
    this.saveCheckpoint = prepareOnUse(db, `
      INSERT INTO ${h}.thread_history_projection_state (thread_id, next_rollout_byte_offset, next_rollout_ordinal) VALUES (?, ?, ?)
      ON CONFLICT (thread_id) DO UPDATE SET
        next_rollout_byte_offset = excluded.next_rollout_byte_offset,
        next_rollout_ordinal = excluded.next_rollout_ordinal`);
    // Locks `main` and `history` at BEGIN, waiting on the busy timeout: better-sqlite3's cached `BEGIN IMMEDIATE`
    // was prepared before the ATTACH and would leave `history` to a read-then-write upgrade that fails at once.
    this.applyTx = attachedImmediateTransaction(db, (threadId: string, update: ProjectionUpdate) => this.applyNow(threadId, update));
  }

  /** Drops the thread's projected turns, items and checkpoint (`thread/delete`). */
  deleteThread(threadId: string): void {
    this.deleteItems.run(threadId);
    this.deleteTurns.run(threadId);
    this.deleteCheckpoint.run(threadId);
  }

  /** How far the thread's rollout is projected, or null when it never was. */
  checkpoint(threadId: string): HistoryCheckpoint | null {
    const row = this.selectCheckpoint.get(threadId);
    return row ? { offset: Number(row.offset), ordinal: Number(row.ordinal) } : null;
  }

  /**
   * Applies `update.steps` and moves the checkpoint to `update.to` in one IMMEDIATE transaction. Without
   * `replace`, the stored checkpoint (none counts as offset 0) must equal `update.from`, else nothing is written
   * and the answer is false. With `replace`, the thread's rows are dropped first.
   */
  apply(threadId: string, update: ProjectionUpdate): boolean {
    return this.applyTx(threadId, update);
  }

  private applyNow(threadId: string, update: ProjectionUpdate): boolean {
    if (update.replace) {
      this.deleteItems.run(threadId);
      this.deleteTurns.run(threadId);
      this.deleteCheckpoint.run(threadId);
    } else {
      const stored = this.checkpoint(threadId);
      const matches = stored ? stored.offset === update.from.offset && stored.ordinal === update.from.ordinal : update.from.offset === 0;
      if (!matches) return false;
    }
    for (const step of update.steps) {
      for (const turn of step.turns) {
        const ended = turn.status !== 'inProgress';
        this.upsertTurn.run({
          threadId,
          turnId: turn.turnId,
          ordinal: step.ordinal,
          startOffset: step.startOffset,
          endOrdinal: ended ? step.ordinal : null,
          endOffset: ended ? step.endOffset : null,
          status: turn.status,
          errorJson: turn.errorJson,
          startedAt: turn.startedAt,
          completedAt: turn.completedAt,
          durationMs: turn.durationMs,
          rootTurnId: turn.rootTurnId,
        });
        this.fillTurnSummary.run({ threadId, turnId: turn.turnId, ordinal: step.ordinal });
      }
      for (const item of step.items) {
        const createdAtMs = item.startedAtMs ?? step.fallbackCreatedAtMs;
        if (createdAtMs === null) throw new Error(`thread history projection for ${threadId} is missing an item creation timestamp`);
        this.upsertItem.run({
          threadId,
          turnId: item.turnId,
          itemId: item.itemId,
          ordinal: step.ordinal,
          createdAtMs,
          startedAtMs: item.startedAtMs,
          completedAtMs: item.completedAtMs,
          itemJson: item.itemJson,
        });
        const ids = { threadId, turnId: item.turnId, itemId: item.itemId, itemJson: item.itemJson };
        this.noteFirstUserItem.run(ids);
        this.noteFinalAnswer.run(ids);
      }
    }
    this.saveCheckpoint.run(threadId, update.to.offset, update.to.ordinal);
    return true;
  }
}

/**
 * `journal_mode = WAL` on a brand-new file can answer SQLITE_BUSY at once while another process switches the
 * same file; the switch is persistent, so retrying briefly lets every opener through.
 */
async function switchToWal(db: Database.Database): Promise<unknown> {
  const deadline = monotonicMs() + WAL_RETRY_LIMIT_MS;
  for (;;) {
    try {
      return db.pragma(`${SCHEMA}.journal_mode = WAL`, { simple: true });
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || monotonicMs() >= deadline) throw err;
      await sleep(WAL_RETRY_MS);
    }
  }
}

function objectCount(db: Database.Database): number {
  return db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${SCHEMA}.sqlite_master`).get()?.n ?? 0;
}

function missingColumns(db: Database.Database): string[] {
  const missing: string[] = [];
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
    const present = new Set((db.pragma(`${SCHEMA}.table_info(${table})`) as { name: string }[]).map((c) => c.name));
    for (const column of columns) if (!present.has(column)) missing.push(`${table}.${column}`);
  }
  return missing;
}

function detachQuietly(db: Database.Database): void {
  try {
    if (db.open) db.prepare(`DETACH DATABASE ${SCHEMA}`).run();
  } catch {
    // Nothing more to release: the connection closes it at the end anyway.
  }
}
