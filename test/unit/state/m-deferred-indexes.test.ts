import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';
import type { RolloutSummary } from '../../../src/rollout/types.js';
import { DEFER_INDEXES_MIN_FILES, runBackfill, type BackfillDeps, type Summarize } from '../../../src/state/backfill.js';
import { deferIndexesForBulkInsert, hasDeferredIndexes, restoreDeferredIndexes } from '../../../src/state/deferred-indexes.js';
import { ensureSchema } from '../../../src/state/migrations.js';
import { BackfillLease } from '../../../src/state/lease.js';
import { openStateDb, STATE_DB_FILE } from '../../../src/state/index.js';
import { SpawnEdges } from '../../../src/state/spawn-edges.js';
import { ThreadsTable } from '../../../src/state/threads.js';
import { systemClock } from '../../../src/support/clock.js';
import { makeTempHome, recordingLogger, threadIdFor } from './helpers.js';
import { manualClock, schemaDb } from './k-db.js';

const T0 = 1_700_000_000_000;

/** The indexes of `table` that have SQL text, by name. */
function indexesOf(db: Database.Database, table = 'threads'): { name: string; sql: string }[] {
  return db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name").all(table) as {
    name: string;
    sql: string;
  }[];
}

/** Those without a WHERE clause: the ones a bulk backfill defers (partial indexes stay). */
function fullIndexesOf(db: Database.Database): { name: string; sql: string }[] {
  return indexesOf(db).filter((index) => !/ WHERE /.test(index.sql));
}

function insertRows(db: Database.Database, count: number): void {
  const threads = new ThreadsTable(db, 'openai');
  for (let n = 0; n < count; n += 1) {
    threads.upsertThread({
      id: threadIdFor(n), rolloutPath: `/h/sessions/r-${n}.jsonl`, archived: false, createdAtMs: T0 + n, updatedAtMs: T0 + n, recencyAtMs: T0 + n,
      source: 'cli', spawn: null, modelProvider: 'p', model: null, cwd: '/w', cliVersion: '0.169.0', originator: 'o', preview: `p ${n}`,
      tokensUsed: 0, approvalMode: 'never', sandboxPolicy: '{}', name: null, archivedAtMs: null,
    });
  }
}

describe('deferred indexes', () => {
  test('deferring drops every full threads index and records it (partial ones stay); restoring builds the same ones', () => {
    const db = schemaDb();
    const before = indexesOf(db);
    const full = fullIndexesOf(db);
    expect(full.length).toBeGreaterThan(8);
    expect(before.length - full.length).toBeGreaterThan(8);
    expect(hasDeferredIndexes(db)).toBe(false);
    expect(deferIndexesForBulkInsert(db, 'threads', 10)).toBe(full.length);
    expect(fullIndexesOf(db)).toEqual([]);
    expect(indexesOf(db)).toEqual(before.filter((index) => !full.some((f) => f.name === index.name)));
    expect(hasDeferredIndexes(db)).toBe(true);
    // The primary key's automatic index stays: upserts still find their row.
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND tbl_name = 'threads' AND sql IS NULL").get()).toEqual({ n: 1 });
    // Deferring again (a resumed backfill) drops nothing more and keeps the records.
    expect(deferIndexesForBulkInsert(db, 'threads', 10)).toBe(0);
    const log = recordingLogger();
    expect(db.transaction(() => restoreDeferredIndexes(db, log))()).toBe(full.length);
    expect(indexesOf(db)).toEqual(before);
    expect(hasDeferredIndexes(db)).toBe(false);
    expect(restoreDeferredIndexes(db, log)).toBe(0);
    expect(log.warnings).toEqual([]);
  });

  test('a table holding more rows than the backfill brings keeps its indexes', () => {
    const db = schemaDb();
    insertRows(db, 3);
    const full = fullIndexesOf(db).length;
    expect(deferIndexesForBulkInsert(db, 'threads', 2)).toBe(0);
    expect(hasDeferredIndexes(db)).toBe(false);
    expect(fullIndexesOf(db)).toHaveLength(full);
    // As many as it holds: deferred.
    expect(deferIndexesForBulkInsert(db, 'threads', 3)).toBe(full);
  });

  test('restoring skips an index that exists again, and gives up (with a warning) one whose SQL fails', () => {
    const db = schemaDb();
    const before = indexesOf(db);
    const full = fullIndexesOf(db);
    deferIndexesForBulkInsert(db, 'threads', 1);
    const first = full[0] as { name: string; sql: string };
    db.exec(first.sql);
    db.prepare('INSERT INTO codex_ts_deferred_indexes (name, sql) VALUES (?, ?)').run('idx_gone', 'CREATE INDEX idx_gone ON threads(no_such_column)');
    const log = recordingLogger();
    expect(db.transaction(() => restoreDeferredIndexes(db, log))()).toBe(full.length - 1);
    expect(indexesOf(db)).toEqual(before);
    expect(log.warnings).toEqual(['state db index idx_gone not rebuilt after the backfill: no such column: no_such_column (SQLITE_ERROR)']);
    expect(hasDeferredIndexes(db)).toBe(false);
  });
});

function homeWithFiles(count: number): string {
  const home = makeTempHome();
  const dir = path.join(home, 'sessions', '2026');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i += 1) writeFileSync(path.join(dir, `rollout-${String(i).padStart(4, '0')}.jsonl`), '');
  return home;
}

function summaryFor(file: string, archived: boolean): RolloutSummary {
  const n = Number(/rollout-(\d+)/.exec(file)?.[1]);
  return {
    id: threadIdFor(n), rolloutPath: file, archived, createdAtMs: T0 + n, updatedAtMs: T0 + n * 1000, recencyAtMs: T0 + n,
    source: 'cli', spawn: null, modelProvider: 'p', model: null, cwd: '/w', cliVersion: '0.169.0', originator: 'o',
    preview: `preview ${n}`, tokensUsed: 0, forkedFromId: null, lineCount: 1,
  };
}

function backfillDeps(db: Database.Database, home: string, summarize: Summarize, overrides: Partial<BackfillDeps> = {}): BackfillDeps {
  const lease = new BackfillLease(db, manualClock(T0));
  lease.tryClaim(900);
  return { codexHome: home, db, lease, threads: new ThreadsTable(db, 'openai'), edges: new SpawnEdges(db), summarize, log: recordingLogger(), ...overrides };
}

describe('runBackfill and deferred indexes', () => {
  test(`from ${DEFER_INDEXES_MIN_FILES} files on (here lowered to 3) the rows go in without the indexes, which are back at completion`, async () => {
    const home = homeWithFiles(3);
    const db = schemaDb();
    const before = indexesOf(db);
    const seenDuringRun: number[] = [];
    const summarize: Summarize = (file, archived) => {
      seenDuringRun.push(fullIndexesOf(db).length);
      return Promise.resolve(summaryFor(file, archived));
    };
    const deps = backfillDeps(db, home, summarize, { deferIndexesMinFiles: 3 });
    expect(await runBackfill(deps)).toEqual({ scanned: 3, upserted: 3, failed: 0 });
    expect(seenDuringRun).toEqual([0, 0, 0]);
    expect(indexesOf(db)).toEqual(before);
    expect(hasDeferredIndexes(db)).toBe(false);
    expect(deps.lease.read().status).toBe('complete');
    expect(db.prepare('SELECT count(*) AS n FROM threads').get()).toEqual({ n: 3 });
  });

  test('below the threshold the indexes stay in place throughout', async () => {
    const home = homeWithFiles(2);
    const db = schemaDb();
    const seenDuringRun: number[] = [];
    const summarize: Summarize = (file, archived) => {
      seenDuringRun.push(fullIndexesOf(db).length);
      return Promise.resolve(summaryFor(file, archived));
    };
    await runBackfill(backfillDeps(db, home, summarize, { deferIndexesMinFiles: 3 }));
    expect(seenDuringRun).toEqual([fullIndexesOf(db).length, fullIndexesOf(db).length]);
    expect(seenDuringRun[0]).toBeGreaterThan(8);
  });

  test('a backfill that dies half-way leaves the records; the resumed one (below the threshold) restores the indexes', async () => {
    const home = homeWithFiles(3);
    const db = schemaDb();
    const before = indexesOf(db);
    const failing = new ThreadsTable(db, 'openai');
    failing.upsertThreads = () => {
      throw new Database.SqliteError('disk I/O error', 'SQLITE_IOERR');
    };
    await expect(runBackfill(backfillDeps(db, home, (f, a) => Promise.resolve(summaryFor(f, a)), { deferIndexesMinFiles: 3, threads: failing }))).rejects.toThrow('disk I/O error');
    expect(hasDeferredIndexes(db)).toBe(true);
    expect(fullIndexesOf(db)).toEqual([]);
    // The WAL checkpoint threshold is the connection's own again.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);

    await runBackfill(backfillDeps(db, home, (f, a) => Promise.resolve(summaryFor(f, a)), { deferIndexesMinFiles: 1_000 }));
    expect(indexesOf(db)).toEqual(before);
    expect(hasDeferredIndexes(db)).toBe(false);
  });

  test('openStateDb restores indexes left deferred in a database whose backfill another implementation completed', async () => {
    const home = makeTempHome();
    const first = await openStateDb(home, { clock: systemClock, log: recordingLogger() });
    first?.close();
    const conn = new Database(path.join(home, STATE_DB_FILE));
    onTestFinished(() => void (conn.open && conn.close()));
    const before = indexesOf(conn);
    deferIndexesForBulkInsert(conn, 'threads', 0);
    expect(fullIndexesOf(conn)).toEqual([]);
    conn.close();

    const db = await openStateDb(home, { clock: systemClock, log: recordingLogger() });
    expect(db).not.toBeNull();
    db?.close();
    const check = new Database(path.join(home, STATE_DB_FILE), { readonly: true });
    onTestFinished(() => void check.close());
    expect(indexesOf(check)).toEqual(before);
    expect(hasDeferredIndexes(check)).toBe(false);
  });
});

describe('the WAL checkpoint after a backfill', () => {
  /** A WAL database file in a temp home, with the reference schema. */
  function walDb(home: string): Database.Database {
    const db = new Database(path.join(home, 'wal-test.sqlite'));
    onTestFinished(() => {
      if (db.open) db.close();
    });
    db.pragma('journal_mode = WAL');
    const outcome = ensureSchema(db);
    if (outcome.kind !== 'created') throw new Error(`schema not created: ${JSON.stringify(outcome)}`);
    return db;
  }
  const walBytes = (db: Database.Database): number => statSync(`${db.name}-wal`).size;
  const summarize: Summarize = (file, archived) => Promise.resolve(summaryFor(file, archived));

  test('a WAL within the automatic checkpoint threshold is left to the next automatic checkpoint (not on the start-up path)', async () => {
    const home = homeWithFiles(5);
    const db = walDb(home);
    await runBackfill(backfillDeps(db, home, summarize));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(walBytes(db)).toBeGreaterThan(0);
    expect(db.prepare('SELECT count(*) AS n FROM threads').get()).toEqual({ n: 5 });
  });

  test('a WAL past the threshold is checkpointed into the database and truncated before the backfill returns', async () => {
    const home = homeWithFiles(5);
    const db = walDb(home);
    // A threshold of 2 pages: the five rows, their batch's checkpoint and the completion outgrow it.
    db.pragma('wal_autocheckpoint = 2');
    await runBackfill(backfillDeps(db, home, summarize));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(2);
    expect(walBytes(db)).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM threads').get()).toEqual({ n: 5 });
  });

  test('with automatic checkpoints off on the connection, the backfill checkpoints whatever the WAL holds', async () => {
    const home = homeWithFiles(2);
    const db = walDb(home);
    db.pragma('wal_autocheckpoint = 0');
    await runBackfill(backfillDeps(db, home, summarize));
    expect(walBytes(db)).toBe(0);
  });
});
