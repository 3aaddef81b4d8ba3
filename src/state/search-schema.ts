import type Database from 'better-sqlite3';

/**
 * The full-text search index's own schema inside `state_5.sqlite` (issue 18). It is ours alone: every object is
 * named `codex_ts_search_*`, its version is kept in `codex_ts_search_meta`, never in `_sqlx_migrations` (the
 * reference's migrator refuses a database that records a migration it does not know), and no trigger touches
 * the reference's `threads` table, so a reference process opening the same file sees its own schema unchanged
 * and never needs FTS5. The reference's tables stay the truth for filters and order; this index only says which
 * threads hold a text.
 *
 * - `codex_ts_search_threads`: one row per indexed thread and what the index saw of it (`updated_at_ms`, `name`),
 *   so a thread changed by another process (or never indexed) is found and re-read.
 * - `codex_ts_search_docs`: the indexed texts (see `SearchDoc`), in order (rowid order is message order).
 *   `indexed = 0` marks a row the backfill wrote and FTS5 has not tokenised yet: the backfill only stores the
 *   texts, and FTS5 takes them in the background after start-up (`ThreadSearcher.fill`); until then searches
 *   treat those rows as candidates and check them exactly.
 * - `codex_ts_search_fts`: FTS5 over `codex_ts_search_docs.text` (external content), trigram tokens folded to
 *   lower case, so any substring of three or more characters is an index lookup. `detail=none` (row ids only, no
 *   positions) halves the insert cost; a query asks for rows holding all the term's trigrams, and the exact
 *   substring check that follows rejects the rows where they are not adjacent.
 */
export const SEARCH_SCHEMA_VERSION = 3;

const CREATE_SQL = `
CREATE TABLE IF NOT EXISTS codex_ts_search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codex_ts_search_threads (
  thread_id TEXT PRIMARY KEY,
  updated_at_ms INTEGER NOT NULL,
  name TEXT
);
CREATE TABLE IF NOT EXISTS codex_ts_search_docs (
  id INTEGER PRIMARY KEY,
  thread_id TEXT NOT NULL,
  field TEXT NOT NULL,
  text TEXT NOT NULL,
  indexed INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS codex_ts_search_docs_thread ON codex_ts_search_docs(thread_id, field);
CREATE INDEX IF NOT EXISTS codex_ts_search_docs_pending ON codex_ts_search_docs(id) WHERE indexed = 0;
CREATE VIRTUAL TABLE IF NOT EXISTS codex_ts_search_fts USING fts5(
  text, content='codex_ts_search_docs', content_rowid='id', tokenize='trigram case_sensitive 0', detail=none
);
CREATE TRIGGER IF NOT EXISTS codex_ts_search_docs_ai AFTER INSERT ON codex_ts_search_docs WHEN new.indexed = 1 BEGIN
  INSERT INTO codex_ts_search_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS codex_ts_search_docs_ad AFTER DELETE ON codex_ts_search_docs WHEN old.indexed = 1 BEGIN
  INSERT INTO codex_ts_search_fts(codex_ts_search_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
`;

const DROP_SQL = `
DROP TRIGGER IF EXISTS codex_ts_search_docs_ai;
DROP TRIGGER IF EXISTS codex_ts_search_docs_ad;
DROP TABLE IF EXISTS codex_ts_search_fts;
DROP TABLE IF EXISTS codex_ts_search_docs;
DROP TABLE IF EXISTS codex_ts_search_threads;
DROP TABLE IF EXISTS codex_ts_search_meta;
`;

/**
 * Creates the search tables when missing (our own migration, version {@link SEARCH_SCHEMA_VERSION}); a different
 * recorded version is dropped and recreated empty (the index is rebuilt from the rollouts). One IMMEDIATE
 * transaction, so concurrent openers create it once. Throws when SQLite fails (no FTS5, read-only file): the
 * caller then runs without the index.
 */
export function ensureSearchSchema(db: Database.Database): 'created' | 'existing' {
  return db
    .transaction((): 'created' | 'existing' => {
      if (recordedVersion(db) === SEARCH_SCHEMA_VERSION) return 'existing';
      db.exec(DROP_SQL);
      db.exec(CREATE_SQL);
      db.prepare('INSERT INTO codex_ts_search_meta (key, value) VALUES (?, ?)').run('schema_version', String(SEARCH_SCHEMA_VERSION));
      return 'created';
    })
    .immediate();
}

/** Drops and recreates the search tables empty (a corrupt index). */
export function recreateSearchSchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec(DROP_SQL);
    db.exec(CREATE_SQL);
    db.prepare('INSERT INTO codex_ts_search_meta (key, value) VALUES (?, ?)').run('schema_version', String(SEARCH_SCHEMA_VERSION));
  }).immediate();
}

function recordedVersion(db: Database.Database): number | null {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'codex_ts_search_meta'").get();
  if (table === undefined) return null;
  const row = db.prepare<[], { value: string }>("SELECT value FROM codex_ts_search_meta WHERE key = 'schema_version'").get();
  return row ? Number(row.value) : null;
}
