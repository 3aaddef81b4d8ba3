import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';
import { READ_ONLY_SANDBOX_POLICY_JSON as READ_ONLY_SANDBOX_POLICY } from '../../../src/rollout/file-row.js';
import { openStateDb, STATE_DB_FILE } from '../../../src/state/index.js';
import { systemClock } from '../../../src/support/clock.js';
import { FIXTURES } from '../../support/paths.js';
import { copyFixtureHome, makeTempHome, recordingLogger } from './helpers.js';

const MIGRATIONS_JSON = path.join(FIXTURES, 'protocol', 'sqlx-migrations.json');

function connect(home: string): Database.Database {
  const db = new Database(path.join(home, STATE_DB_FILE), { timeout: 5000 });
  onTestFinished(() => void db.close());
  return db;
}

/**
 * Our full-text search index (issue 18) keeps its own `codex_ts_search*` tables in the same file; the reference
 * never sees them, so comparisons with the reference's schema and rows leave them out (and check they are ours).
 */
const OURS = "name NOT LIKE 'codex_ts_search%'";

function schemaObjects(db: Database.Database) {
  return db
    .prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' AND ${OURS} ORDER BY type, name`)
    .all();
}

function searchObjects(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'codex_ts_search%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

function columnsOf(db: Database.Database) {
  const tables = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND ${OURS} ORDER BY name`).all();
  return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`PRAGMA table_info(${JSON.stringify(name)})`).all()]));
}

function migrationRows(db: Database.Database) {
  return db
    .prepare(
      `SELECT version, typeof(version) AS tv, description, typeof(installed_on) AS ti, success, typeof(success) AS ts,
              hex(checksum) AS checksum, typeof(checksum) AS tc, typeof(execution_time) AS te
       FROM _sqlx_migrations ORDER BY version`,
    )
    .all();
}

/** Every row of every table, for "nothing changed" checks. */
function allRows(db: Database.Database) {
  const tables = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND ${OURS} ORDER BY name`).all();
  return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM ${JSON.stringify(name)} ORDER BY 1`).raw().all()]));
}

async function createFresh(): Promise<string> {
  const home = makeTempHome();
  const log = recordingLogger();
  const db = await openStateDb(home, { clock: systemClock, log });
  expect(db?.startup.schema).toBe('created');
  db?.close();
  expect(log.warnings).toEqual([]);
  return home;
}

describe('state DB schema', () => {
  test('a created database has the reference tables, columns, indexes and triggers', async () => {
    const ours = connect(await createFresh());
    const reference = connect(copyFixtureHome());
    expect(schemaObjects(ours)).toEqual(schemaObjects(reference));
    expect(columnsOf(ours)).toEqual(columnsOf(reference));
    const tables = ours.prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND ${OURS}`).all();
    expect(tables).toHaveLength(17);
    expect(searchObjects(ours)).toEqual([
      'codex_ts_search_docs', 'codex_ts_search_docs_ad', 'codex_ts_search_docs_ai', 'codex_ts_search_docs_pending', 'codex_ts_search_docs_thread', 'codex_ts_search_fts',
      'codex_ts_search_fts_config', 'codex_ts_search_fts_data', 'codex_ts_search_fts_docsize', 'codex_ts_search_fts_idx', 'codex_ts_search_meta', 'codex_ts_search_threads',
    ]);
    expect(searchObjects(reference)).toEqual([]);
    expect(ours.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  test('_sqlx_migrations rows match sqlx-migrations.json and the reference storage classes', async () => {
    const ours = connect(await createFresh());
    const expected = (JSON.parse(readFileSync(MIGRATIONS_JSON, 'utf8')) as Record<string, { version: number; description: string; checksum: string }[]>)['state_5.sqlite'];
    const rows = migrationRows(ours);
    expect(rows).toEqual(
      (expected ?? []).map((m) => ({
        version: m.version, tv: 'integer', description: m.description, ti: 'text', success: 1, ts: 'integer',
        checksum: m.checksum, tc: 'blob', te: 'integer',
      })),
    );
    expect(rows).toHaveLength(62);
    expect(rows).toEqual(migrationRows(connect(copyFixtureHome())));
  });

  test('seed rows of a fresh database match the reference', async () => {
    const ours = connect(await createFresh());
    expect(ours.prepare('SELECT * FROM thread_sections').all()).toEqual([
      { id: '01984de2-8f74-7c91-a3b2-5c5e937cf318', name: 'Pinned', appearance: null },
    ]);
    expect(ours.prepare('SELECT id, status, last_watermark FROM backfill_state').all()).toEqual([
      { id: 1, status: 'complete', last_watermark: null },
    ]);
    expect(ours.prepare('SELECT count(*) AS n FROM sqlite_sequence').get()).toEqual({ n: 0 });
  });

  test('opening a copy of the 0.169.0 home sees its threads and changes nothing', async () => {
    const home = copyFixtureHome();
    const before = connect(home);
    const rowsBefore = allRows(before);
    before.close();

    const log = recordingLogger();
    const db = await openStateDb(home, { clock: systemClock, log });
    expect(db).not.toBeNull();
    if (!db) return;
    onTestFinished(() => void db.close());
    expect(db.startup).toEqual({ schema: 'existing', backfill: null, waitedMs: expect.any(Number) });
    expect(log.warnings).toEqual([]);
    expect(log.infos).toEqual([]); // same 62 migrations: nothing to note

    expect(db.getThread('01a211bb-1b90-7a63-a05b-5f773a6eefd3')).toEqual({
      id: '01a211bb-1b90-7a63-a05b-5f773a6eefd3',
      rolloutPath: '/home/fixture/.codex/sessions/2026/11/25/rollout-2026-11-25T08-03-24-01a211bb-1b90-7a63-a05b-5f773a6eefd3.jsonl',
      archived: false,
      createdAtMs: 1795593804697,
      updatedAtMs: 1795593805237,
      recencyAtMs: 1795593805184,
      source: 'vscode',
      spawn: null,
      modelProvider: 'mock_provider',
      model: 'mock-model',
      cwd: '/home/fixture/project',
      cliVersion: '0.169.0',
      originator: 'fixture_client',
      preview: 'hello',
      tokensUsed: 210,
      approvalMode: 'never',
      sandboxPolicy: READ_ONLY_SANDBOX_POLICY,
      name: null,
      archivedAtMs: null,
    });
    expect(db.getThread('01a211bb-1ef3-7882-abb1-5aab83601296')?.name).toBe('Fixture named thread');
    expect(db.getThread('01a211bb-21ce-7873-94c4-bcb628b9aded')).toMatchObject({ archived: true, archivedAtMs: 1795593806000 });
    expect(db.rolloutPath('01a211bb-21ce-7873-94c4-bcb628b9aded', true)).toMatch(/archived_sessions\/rollout-/);
    expect(db.rolloutPath('01a211bb-21ce-7873-94c4-bcb628b9aded', false)).toBeNull();
    expect(db.readState('01a211bb-1b90-7a63-a05b-5f773a6eefd3')).toEqual({
      firstUnreadTurnId: '01a211bb-1bb2-7912-a58d-fa2a7306bc69',
      revision: '5f864af4-3f16-4368-b4b7-96582c624947',
    });
    // The rows point at /home/fixture/.codex, which does not exist here: the DB-only listing skips them.
    const query = {
      archived: false, sortKey: 'created_at' as const, sortDirection: 'desc' as const, after: null, limit: 10,
      sourceKinds: [], modelProviders: null, cwds: null, searchTerm: null, requirePreview: true,
    };
    expect(db.listThreads(query)).toEqual([]);
    db.close();

    expect(allRows(connect(home))).toEqual(rowsBefore);
  });

  test('a database created here is accepted again without changes', async () => {
    const home = await createFresh();
    const rowsBefore = allRows(connect(home));
    const log = recordingLogger();
    const db = await openStateDb(home, { clock: systemClock, log });
    expect(db?.startup.schema).toBe('existing');
    db?.close();
    expect(log.infos).toEqual([]);
    expect(allRows(connect(home))).toEqual(rowsBefore);
  });

  test('an older reference schema (0.130.0, 31 migrations) is left alone and refused', async () => {
    const home = makeTempHome();
    const old = new Database(path.join(home, STATE_DB_FILE));
    old.exec(readFileSync(path.join(FIXTURES, 'rollouts', '0.130.0', 'state_5.sqlite.sql'), 'utf8').replace(/^DELETE FROM sqlite_sequence;$/m, ''));
    const rowsBefore = allRows(old);
    old.close();

    const log = recordingLogger();
    expect(await openStateDb(home, { clock: systemClock, log })).toBeNull();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain('cannot be used: schema lacks threads.recency_at');
    expect(log.warnings[0]).toContain('31 recorded migrations');
    expect(allRows(connect(home))).toEqual(rowsBefore);
  });
});
