import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { STATE_MIGRATIONS, THREAD_HISTORY_MIGRATIONS } from '../../../src/state/migration-records.js';
import { ensureSchema, recordMigrations } from '../../../src/state/migrations.js';
import { emptyDb, schemaDb } from './k-db.js';

const checksums = (db: Database.Database, schema = 'main') =>
  db.prepare(`SELECT version, description, success, hex(checksum) AS checksum, execution_time FROM ${schema}._sqlx_migrations ORDER BY version`).all();

describe('ensureSchema', () => {
  test('an empty database gets the schema, the seed row and every migration record', () => {
    const db = emptyDb();
    expect(ensureSchema(db)).toEqual({ kind: 'created' });
    expect(checksums(db)).toEqual(
      STATE_MIGRATIONS.map((m) => ({ version: m.version, description: m.description, success: 1, checksum: m.checksumHex, execution_time: 0 })),
    );
    expect(db.inTransaction).toBe(false);
  });

  test('a database it created is existing with no migration note', () => {
    const db = schemaDb();
    expect(ensureSchema(db)).toEqual({ kind: 'existing', migrationNote: null });
  });

  test('a schema another connection created between the check and the write lock is used, not created twice', () => {
    const db = emptyDb();
    // The other opener wins the race: the schema appears right before our transaction starts.
    const racing = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'transaction') {
          return (fn: () => unknown) => {
            ensureSchema(db);
            return target.transaction(fn);
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    expect(ensureSchema(racing)).toEqual({ kind: 'existing', migrationNote: null });
    expect(checksums(db)).toHaveLength(STATE_MIGRATIONS.length);
  });

  test('columns present but no _sqlx_migrations table: usable, with a note', () => {
    const db = schemaDb();
    db.exec('DROP TABLE _sqlx_migrations');
    expect(ensureSchema(db)).toEqual({ kind: 'existing', migrationNote: 'no _sqlx_migrations table' });
  });

  test('the note lists absent, changed and unknown migrations', () => {
    const db = schemaDb();
    db.prepare('DELETE FROM _sqlx_migrations WHERE version IN (3, 61)').run();
    db.prepare("UPDATE _sqlx_migrations SET checksum = X'00FF' WHERE version = 7").run();
    db.prepare("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99, 'x', 1, X'01', 0), (100, 'y', 1, X'02', 0)").run();
    expect(ensureSchema(db)).toEqual({
      kind: 'existing',
      migrationNote: 'migrations absent: [3,61], checksum differs: [7], unknown: [99,100]',
    });
  });

  test('only unknown extra migrations still give a note', () => {
    const db = schemaDb();
    db.prepare("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (63, 'newer', 1, X'AB', 0)").run();
    expect(ensureSchema(db)).toEqual({ kind: 'existing', migrationNote: 'migrations absent: [], checksum differs: [], unknown: [63]' });
  });

  test('only changed checksums give a note', () => {
    const db = schemaDb();
    db.prepare("UPDATE _sqlx_migrations SET checksum = X'00' WHERE version IN (12, 62)").run();
    expect(ensureSchema(db)).toEqual({ kind: 'existing', migrationNote: 'migrations absent: [], checksum differs: [12,62], unknown: []' });
  });

  test('a database lacking columns is unusable, naming every missing column and the migration history', () => {
    const db = emptyDb();
    db.exec(`
      CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT);
      CREATE TABLE backfill_state (id INTEGER, status TEXT, last_watermark TEXT, last_success_at INTEGER, updated_at INTEGER);
      CREATE TABLE thread_spawn_edges (parent_thread_id TEXT, child_thread_id TEXT);`);
    const outcome = ensureSchema(db);
    expect(outcome.kind).toBe('unusable');
    const reason = (outcome as { reason: string }).reason;
    expect(reason.startsWith('schema lacks threads.created_at, threads.created_at_ms, ')).toBe(true);
    expect(reason).toContain('threads.agent_path, threads.git_sha, threads.git_branch, threads.git_origin_url, thread_spawn_edges.status, thread_read_receipts.thread_id, ');
    expect(reason.endsWith('thread_read_receipts.last_published_turn (no _sqlx_migrations table)')).toBe(true);
    expect(reason).not.toContain('backfill_state.');
    expect(reason).not.toContain('threads.id,');
  });

  test('an unusable database with a migration table reports how many migrations it records', () => {
    const db = schemaDb();
    db.exec('DROP TABLE thread_read_receipts');
    db.prepare('DELETE FROM _sqlx_migrations WHERE version > 40').run();
    expect(ensureSchema(db)).toEqual({
      kind: 'unusable',
      reason:
        'schema lacks thread_read_receipts.thread_id, thread_read_receipts.first_unread_turn, thread_read_receipts.revision, ' +
        'thread_read_receipts.last_published_turn (40 recorded migrations)',
    });
  });
});

describe('recordMigrations', () => {
  test('writes into the named attached schema, with success 1, a BLOB checksum and zero execution time', () => {
    const db = emptyDb();
    db.exec("ATTACH DATABASE ':memory:' AS side");
    db.exec('CREATE TABLE side._sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT, installed_on TIMESTAMP DEFAULT CURRENT_TIMESTAMP, success BOOLEAN, checksum BLOB, execution_time BIGINT)');
    recordMigrations(db, THREAD_HISTORY_MIGRATIONS, 'side');
    expect(checksums(db, 'side')).toEqual(
      THREAD_HISTORY_MIGRATIONS.map((m) => ({ version: m.version, description: m.description, success: 1, checksum: m.checksumHex, execution_time: 0 })),
    );
    expect(db.prepare('SELECT DISTINCT typeof(checksum) AS t, typeof(installed_on) AS i FROM side._sqlx_migrations').all()).toEqual([{ t: 'blob', i: 'text' }]);
  });
});
