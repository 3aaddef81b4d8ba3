import type Database from 'better-sqlite3';
import { MESSAGE_SEPARATOR } from '../support/literal-match.js';
import { MultiRowInsert } from './multi-row.js';
import { prepareOnUse, type Prepared } from './prepared.js';

/** What the index holds for one thread: the texts `thread/search` matches, in snippet priority order. */
export interface SearchDocument {
  threadId: string;
  preview: string;
  /** The effective name (the `threads.name` column, else `session_index.jsonl`). */
  name: string | null;
  /** Visible user and assistant message texts, in order. */
  messages: readonly string[];
}

/**
 * One stored text of a thread: its name; its preview when no message holds it; and its messages, several to a
 * row (all of a backfilled file, or one turn's), joined by {@link MESSAGE_SEPARATOR}. Fewer, longer rows keep the
 * FTS5 work per thread small; a term spanning two joined messages is a candidate the exact check then rejects.
 * The id is not stored: `threads.id` is matched directly.
 */
export interface SearchDoc {
  field: 'preview' | 'name' | 'message';
  text: string;
}

/** One thread's texts for {@link SearchTables.writePending}, with the row's `updated_at_ms`. */
export interface PendingEntry {
  doc: SearchDocument;
  updatedAtMs: number;
}

/** The rows a document is stored as: its name, its preview when no message holds it, its messages joined. */
function documentTexts(doc: SearchDocument): [SearchDoc['field'], string][] {
  const rows: [SearchDoc['field'], string][] = [];
  if (doc.name !== null && doc.name !== '') rows.push(['name', doc.name]);
  if (doc.preview !== '' && !doc.messages.includes(doc.preview)) rows.push(['preview', doc.preview]);
  if (doc.messages.length > 0) rows.push(['message', doc.messages.join(MESSAGE_SEPARATOR)]);
  return rows;
}

/** A thread whose index entry is missing or older than its `threads` row. */
export interface StaleThread {
  id: string;
  rolloutPath: string;
  archived: boolean;
  /** `threads.updated_at_ms`, recorded with the re-read texts. */
  updatedAtMs: number;
  /** `threads.name`. */
  name: string | null;
  /** `codex_ts_search_threads.name`, when the thread is indexed. */
  indexedName: string | null;
  indexed: boolean;
}

/**
 * The statements over the search tables (`search-schema.ts`). Writes are single statements or small
 * transactions the caller runs; nothing here reads a file. `threads` is only ever read.
 */
export class SearchTables {
  private readonly insertDoc: Prepared<[string, string, string]>;
  private readonly selectPending: Prepared<[number], { id: number; text: string }>;
  private readonly insertFts: Prepared<[number, string]>;
  private readonly markIndexed: Prepared<[number]>;
  /** Hands up to `max` pending rows to FTS5 in one transaction; returns how many (0: none left). */
  readonly fillChunk: Database.Transaction<(max: number) => number>;
  private readonly deleteDocs: Prepared<[string]>;
  private readonly deleteField: Prepared<[string, string]>;
  private readonly upsertMarker: Prepared<[string, number, string | null]>;
  private readonly deleteMarker: Prepared<[string]>;
  private readonly selectMarker: Prepared<[string], { updated_at_ms: number; name: string | null }>;
  private readonly syncMarkerStatement: Prepared<[string, string]>;
  private readonly selectDocs: Prepared<[string], SearchDoc>;
  private readonly selectStale: Prepared<[], StaleRecord>;
  private readonly selectOrphans: Prepared<[], { thread_id: string }>;
  private readonly selectIndexed: Prepared<[string], StaleRecord>;
  private readonly selectField: Prepared<[string, string], unknown>;
  readonly replace: Database.Transaction<(doc: SearchDocument, updatedAtMs: number, rowName: string | null) => void>;
  private readonly deleteDocsOf: Database.Statement<[string]>;
  private readonly insertPendingMany: MultiRowInsert;
  private readonly upsertMarkerMany: MultiRowInsert;
  /** {@link writePending} in a savepoint: all of a batch or none of it. */
  private readonly writePendingAll: Database.Transaction<(entries: readonly PendingEntry[]) => void>;

  constructor(private readonly db: Database.Database) {
    this.insertDoc = prepareOnUse(db, 'INSERT INTO codex_ts_search_docs (thread_id, field, text, indexed) VALUES (?, ?, ?, 1)');
    this.selectPending = prepareOnUse(db, 'SELECT id, text FROM codex_ts_search_docs WHERE indexed = 0 ORDER BY id LIMIT ? + 0');
    this.insertFts = prepareOnUse(db, 'INSERT INTO codex_ts_search_fts (rowid, text) VALUES (?, ?)');
    this.markIndexed = prepareOnUse(db, 'UPDATE codex_ts_search_docs SET indexed = 1 WHERE id = ?');
    this.fillChunk = db.transaction((max: number) => {
      const rows = this.selectPending.all(max);
      for (const row of rows) {
        this.insertFts.run(row.id, row.text);
        this.markIndexed.run(row.id);
      }
      return rows.length;
    });
    this.deleteDocs = prepareOnUse(db, 'DELETE FROM codex_ts_search_docs WHERE thread_id = ?');
    this.deleteField = prepareOnUse(db, 'DELETE FROM codex_ts_search_docs WHERE thread_id = ? AND field = ?');
    this.upsertMarker = prepareOnUse(db, `
      INSERT INTO codex_ts_search_threads (thread_id, updated_at_ms, name) VALUES (?, ?, ?)
      ON CONFLICT(thread_id) DO UPDATE SET updated_at_ms = excluded.updated_at_ms, name = excluded.name`);
    this.deleteMarker = prepareOnUse(db, 'DELETE FROM codex_ts_search_threads WHERE thread_id = ?');
    this.selectMarker = prepareOnUse(db, 'SELECT updated_at_ms, name FROM codex_ts_search_threads WHERE thread_id = ?');
    // After one of our own writes to `threads`: the index is current with the row as it now is.
    this.syncMarkerStatement = prepareOnUse(db, `
      UPDATE codex_ts_search_threads
      SET updated_at_ms = COALESCE((SELECT ${UPDATED_MS} FROM threads t WHERE t.id = ?), updated_at_ms)
      WHERE thread_id = ?`);
    this.selectDocs = prepareOnUse(db, 'SELECT field, text FROM codex_ts_search_docs WHERE thread_id = ? ORDER BY id');
    this.selectStale = prepareOnUse(db, `
      SELECT t.id, t.rollout_path, t.archived, ${UPDATED_MS} AS updated_ms, t.name, s.name AS indexed_name, s.thread_id IS NOT NULL AS indexed
      FROM threads t LEFT JOIN codex_ts_search_threads s ON s.thread_id = t.id
      WHERE s.thread_id IS NULL OR s.updated_at_ms <> ${UPDATED_MS} OR (t.name IS NOT NULL AND s.name IS NOT t.name)`);
    this.selectIndexed = prepareOnUse(db, `
      SELECT t.id, t.rollout_path, t.archived, ${UPDATED_MS} AS updated_ms, t.name, s.name AS indexed_name, 1 AS indexed
      FROM codex_ts_search_threads s JOIN threads t ON t.id = s.thread_id WHERE s.thread_id = ?`);
    this.selectOrphans = prepareOnUse(db, 
      'SELECT s.thread_id FROM codex_ts_search_threads s WHERE NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = s.thread_id)',
    );
    this.selectField = prepareOnUse(db, 'SELECT 1 FROM codex_ts_search_docs WHERE thread_id = ? AND field = ? LIMIT 1');
    this.replace = db.transaction((doc: SearchDocument, updatedAtMs: number, rowName: string | null) => this.write(doc, updatedAtMs, rowName));
    this.deleteDocsOf = db.prepare('DELETE FROM codex_ts_search_docs WHERE thread_id IN (SELECT value FROM json_each(?))');
    this.insertPendingMany = new MultiRowInsert(db, 'INSERT INTO codex_ts_search_docs (thread_id, field, text, indexed)', '(?, ?, ?, 0)', '', 50);
    this.upsertMarkerMany = new MultiRowInsert(
      db,
      'INSERT INTO codex_ts_search_threads (thread_id, updated_at_ms, name)',
      '(?, ?, ?)',
      'ON CONFLICT(thread_id) DO UPDATE SET updated_at_ms = excluded.updated_at_ms, name = excluded.name',
      50,
    );
    this.writePendingAll = db.transaction((entries: readonly PendingEntry[]) => this.writePendingNow(entries));
  }

  /** {@link replace} without its own transaction: the rows are tokenised by FTS5 at once. */
  write(doc: SearchDocument, updatedAtMs: number, rowName: string | null): void {
    this.deleteDocs.run(doc.threadId);
    for (const [field, text] of documentTexts(doc)) this.insertDoc.run(doc.threadId, field, text);
    this.upsertMarker.run(doc.threadId, Math.trunc(updatedAtMs), rowName ?? doc.name);
  }

  /**
   * The backfill's write of a whole batch, the rows pending for the background fill instead of tokenised now (the
   * backfill's choice, to stay fast): the same rows as {@link write} of each entry in order would store (of entries
   * for one thread, the last counts) but marked pending, in a few multi-row statements, all or none.
   */
  writePending(entries: readonly PendingEntry[]): void {
    this.writePendingAll(entries);
  }

  private writePendingNow(entries: readonly PendingEntry[]): void {
    const last = new Map<string, PendingEntry>();
    for (const entry of entries) {
      last.delete(entry.doc.threadId);
      last.set(entry.doc.threadId, entry);
    }
    this.deleteDocsOf.run(JSON.stringify([...last.keys()]));
    const docs: unknown[] = [];
    const markers: unknown[] = [];
    for (const { doc, updatedAtMs } of last.values()) {
      for (const [field, text] of documentTexts(doc)) docs.push(doc.threadId, field, text);
      markers.push(doc.threadId, Math.trunc(updatedAtMs), doc.name);
    }
    this.insertPendingMany.run(docs);
    this.upsertMarkerMany.run(markers);
  }

  /** Appends a turn's texts as one row (and the preview once); false when the thread is not indexed yet. */
  appendTurn(threadId: string, preview: string, texts: readonly string[]): boolean {
    if (this.selectMarker.get(threadId) === undefined) return false;
    if (preview !== '' && !texts.includes(preview) && this.selectField.get(threadId, 'preview') === undefined) this.insertDoc.run(threadId, 'preview', preview);
    if (texts.length > 0) this.insertDoc.run(threadId, 'message', texts.join(MESSAGE_SEPARATOR));
    this.syncMarker(threadId);
    return true;
  }

  /** A new name: replaces the name text and records it; no-op for a thread not indexed yet. */
  setName(threadId: string, name: string): void {
    if (this.selectMarker.get(threadId) === undefined) return;
    this.deleteField.run(threadId, 'name');
    this.insertDoc.run(threadId, 'name', name);
    this.upsertMarker.run(threadId, this.selectMarker.get(threadId)?.updated_at_ms ?? 0, name);
    this.syncMarker(threadId);
  }

  /** Re-reads the row's `updated_at_ms` into the marker (after our own update of an indexed thread). */
  syncMarker(threadId: string): void {
    this.syncMarkerStatement.run(threadId, threadId);
  }

  remove(threadId: string): void {
    this.deleteDocs.run(threadId);
    this.deleteMarker.run(threadId);
  }

  docsOf(threadId: string): SearchDoc[] {
    return this.selectDocs.all(threadId);
  }

  isIndexed(threadId: string): boolean {
    return this.selectMarker.get(threadId) !== undefined;
  }

  /** Threads whose entry is missing or behind their row (one pass over `threads` by primary key). */
  stale(): StaleThread[] {
    return this.selectStale.all().map(staleFromRecord);
  }

  /** An indexed thread as {@link stale} reports it (for a name changed in `session_index.jsonl`). */
  indexed(threadId: string): StaleThread | null {
    const record = this.selectIndexed.get(threadId);
    return record ? staleFromRecord(record) : null;
  }

  /** Indexed threads whose row is gone (deleted by another process). */
  orphans(): string[] {
    return this.selectOrphans.all().map((row) => row.thread_id);
  }

  /** Runs `body` in one IMMEDIATE transaction. */
  immediate<T>(body: () => T): T {
    return this.db.transaction(body).immediate();
  }
}

/** `threads.updated_at_ms`, which rows written by old writers may leave NULL. */
const UPDATED_MS = 'COALESCE(t.updated_at_ms, t.updated_at * 1000)';

interface StaleRecord {
  id: string;
  rollout_path: string;
  archived: number;
  updated_ms: number;
  name: string | null;
  indexed_name: string | null;
  indexed: number;
}

function staleFromRecord(record: StaleRecord): StaleThread {
  return {
    id: record.id,
    rolloutPath: record.rollout_path,
    archived: record.archived !== 0,
    updatedAtMs: record.updated_ms,
    name: record.name,
    indexedName: record.indexed_name,
    indexed: record.indexed !== 0,
  };
}
