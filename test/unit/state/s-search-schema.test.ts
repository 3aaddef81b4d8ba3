/** The search index's own schema (src/state/search-schema.ts): created once, versioned in its meta table, recreated on a version change. */
import Database from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';
import { ensureSchema } from '../../../src/state/migrations.js';
import { ensureSearchSchema, recreateSearchSchema, SEARCH_SCHEMA_VERSION } from '../../../src/state/search-schema.js';

function memory(): Database.Database {
  const db = new Database(':memory:');
  onTestFinished(() => void db.close());
  ensureSchema(db);
  return db;
}

const objects = (db: Database.Database): string[] =>
  (db.prepare("SELECT type || ' ' || name AS o FROM sqlite_master WHERE name LIKE 'codex_ts_search%' ORDER BY name").all() as { o: string }[]).map((r) => r.o);
const meta = (db: Database.Database) => db.prepare('SELECT key, value FROM codex_ts_search_meta').all();
const docs = (db: Database.Database) => (db.prepare('SELECT count(*) AS n FROM codex_ts_search_docs').get() as { n: number }).n;
const insertDoc = (db: Database.Database, text: string, indexed = 1) =>
  db.prepare("INSERT INTO codex_ts_search_docs (thread_id, field, text, indexed) VALUES ('t', 'message', ?, ?)").run(text, indexed);
const matches = (db: Database.Database, q: string) => (db.prepare('SELECT count(*) AS n FROM codex_ts_search_fts WHERE codex_ts_search_fts MATCH ?').get(q) as { n: number }).n;

describe('ensureSearchSchema', () => {
  test('creates the tables, indexes, triggers and FTS5 table once, records version 3, and finds them next time', () => {
    const db = memory();
    expect(SEARCH_SCHEMA_VERSION).toBe(3);
    expect(ensureSearchSchema(db)).toBe('created');
    expect(meta(db)).toEqual([{ key: 'schema_version', value: '3' }]);
    expect(objects(db)).toEqual(expect.arrayContaining([
      'table codex_ts_search_docs', 'index codex_ts_search_docs_pending', 'index codex_ts_search_docs_thread', 'trigger codex_ts_search_docs_ad',
      'trigger codex_ts_search_docs_ai', 'table codex_ts_search_fts', 'table codex_ts_search_meta', 'table codex_ts_search_threads',
    ]));
    insertDoc(db, 'Kept Across Opens');
    expect(ensureSearchSchema(db)).toBe('existing');
    expect(docs(db)).toBe(1);
    expect(meta(db)).toEqual([{ key: 'schema_version', value: '3' }]);
    // Nothing in the reference's migration table.
    expect(db.prepare("SELECT count(*) AS n FROM _sqlx_migrations WHERE description LIKE '%search%'").get()).toEqual({ n: 0 });
  });

  test('another recorded version, or a meta table without one, is dropped and recreated empty', () => {
    const db = memory();
    ensureSearchSchema(db);
    insertDoc(db, 'old rows');
    db.prepare("UPDATE codex_ts_search_meta SET value = '2' WHERE key = 'schema_version'").run();
    expect(ensureSearchSchema(db)).toBe('created');
    expect(docs(db)).toBe(0);
    expect(meta(db)).toEqual([{ key: 'schema_version', value: '3' }]);
    insertDoc(db, 'old rows');
    db.prepare('DELETE FROM codex_ts_search_meta').run();
    expect(ensureSearchSchema(db)).toBe('created');
    expect(docs(db)).toBe(0);
    expect(meta(db)).toEqual([{ key: 'schema_version', value: '3' }]);
  });

});

describe('the tables', () => {
  test('FTS5 trigram, case-folded, external content: rows written indexed are tokenised, pending ones are not; deletes follow', () => {
    const db = memory();
    ensureSearchSchema(db);
    insertDoc(db, 'The Quick Brown Fox');
    insertDoc(db, 'pending okapi', 0);
    expect(matches(db, '"qui" AND "fox"')).toBe(1);
    expect(matches(db, '"QUI"')).toBe(1);
    expect(matches(db, '"k b"')).toBe(1);
    expect(matches(db, '"oka"')).toBe(0);
    db.prepare("DELETE FROM codex_ts_search_docs WHERE text = 'pending okapi'").run();
    db.prepare("DELETE FROM codex_ts_search_docs WHERE text = 'The Quick Brown Fox'").run();
    expect(matches(db, '"qui"')).toBe(0);
    expect(() => db.prepare("INSERT INTO codex_ts_search_fts(codex_ts_search_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
    // One marker per thread; a doc's indexed flag defaults to 1.
    db.prepare("INSERT INTO codex_ts_search_docs (thread_id, field, text) VALUES ('t', 'name', 'default flag')").run();
    expect(db.prepare("SELECT indexed FROM codex_ts_search_docs WHERE field = 'name'").get()).toEqual({ indexed: 1 });
    db.prepare("INSERT INTO codex_ts_search_threads (thread_id, updated_at_ms, name) VALUES ('t', 1, NULL)").run();
    expect(() => db.prepare("INSERT INTO codex_ts_search_threads (thread_id, updated_at_ms, name) VALUES ('t', 2, NULL)").run()).toThrow(/UNIQUE/);
  });
});

describe('recreateSearchSchema', () => {
  test('drops every row and recreates the tables at the current version', () => {
    const db = memory();
    ensureSearchSchema(db);
    insertDoc(db, 'The Quick Brown Fox');
    db.prepare("INSERT INTO codex_ts_search_threads (thread_id, updated_at_ms, name) VALUES ('t', 1, NULL)").run();
    recreateSearchSchema(db);
    expect(docs(db)).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM codex_ts_search_threads').get()).toEqual({ n: 0 });
    expect(matches(db, '"qui"')).toBe(0);
    expect(meta(db)).toEqual([{ key: 'schema_version', value: '3' }]);
    expect(ensureSearchSchema(db)).toBe('existing');
    insertDoc(db, 'after the rebuild');
    expect(matches(db, '"reb"')).toBe(1);
  });

  test('a database without the tables gets them too', () => {
    const db = memory();
    recreateSearchSchema(db);
    expect(meta(db)).toEqual([{ key: 'schema_version', value: '3' }]);
    expect(ensureSearchSchema(db)).toBe('existing');
  });
});
