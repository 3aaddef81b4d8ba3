import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';
import { BUSY_TIMEOUT_MS, openStateDb, STATE_DB_FILE, type OpenStateDbOptions, type StateDb } from '../../../src/state/index.js';
import type { Summarize } from '../../../src/state/backfill.js';
import { systemClock } from '../../../src/support/clock.js';
import { BASE_MS, makeTempHome, recordingLogger, threadIdFor, writeRollout } from './helpers.js';
import { openDescriptors } from './k-db.js';

async function open(home: string, extra: Partial<OpenStateDbOptions> = {}) {
  const log = recordingLogger();
  const db = await openStateDb(home, { clock: systemClock, log, backfillPollMs: 5, ...extra });
  if (db) onTestFinished(() => db.close());
  return { db, log };
}

function raw(home: string): Database.Database {
  const conn = new Database(path.join(home, STATE_DB_FILE), { timeout: 5000 });
  onTestFinished(() => void conn.close());
  return conn;
}

/** The connection a handle holds (private): its per-connection settings are what the tests check. */
const connectionOf = (db: StateDb): Database.Database => (db as unknown as { db: Database.Database }).db;

async function createdHome(): Promise<string> {
  const home = makeTempHome();
  const { db } = await open(home);
  expect(db?.startup.schema).toBe('created');
  db?.close();
  return home;
}

describe('openStateDb options and settings', () => {
  test('the connection is in WAL mode with NORMAL sync, foreign keys on and the busy timeout', async () => {
    const home = makeTempHome();
    const { db } = await open(home);
    const conn = connectionOf(db as StateDb);
    expect(conn.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(conn.pragma('synchronous', { simple: true })).toBe(1);
    expect(conn.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(conn.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    expect(BUSY_TIMEOUT_MS).toBe(5000);
    expect(raw(home).pragma('journal_mode', { simple: true })).toBe('wal');
  });

  test('rows whose rollout names no provider take the configured default, else openai', async () => {
    const summarize: Summarize = async (file, archived) => {
      const { summarizeRollout } = await import('../../../src/rollout/summary.js');
      const summary = await summarizeRollout(file, archived);
      return summary && { ...summary, modelProvider: null };
    };
    const home = makeTempHome();
    writeRollout(home, { id: threadIdFor(1), createdAtMs: BASE_MS });
    const custom = await open(home, { summarize, defaultModelProvider: 'my_provider' });
    expect(custom.db?.getThread(threadIdFor(1))?.modelProvider).toBe('my_provider');

    const home2 = makeTempHome();
    writeRollout(home2, { id: threadIdFor(1), createdAtMs: BASE_MS });
    const dflt = await open(home2, { summarize });
    expect(dflt.db?.getThread(threadIdFor(1))?.modelProvider).toBe('openai');
  });

  test('read-receipt revisions come from the given id source, else random UUIDv4s', async () => {
    const given = await open(makeTempHome(), { ids: { uuid4: () => 'rev-fixed', uuid7: () => 'u7' } });
    given.db?.recordCompletedTurn(threadIdFor(1), 'turn-1');
    expect(given.db?.readState(threadIdFor(1))?.revision).toBe('rev-fixed');
    const system = await open(makeTempHome());
    system.db?.recordCompletedTurn(threadIdFor(1), 'turn-1');
    expect(system.db?.readState(threadIdFor(1))?.revision).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('with the search index the backfill stores every visible text; without it there is no index', async () => {
    const home = makeTempHome();
    const file = writeRollout(home, { id: threadIdFor(1), createdAtMs: BASE_MS, preview: 'question text' });
    appendFileSync(file, JSON.stringify({ timestamp: new Date(BASE_MS).toISOString(), type: 'event_msg', payload: { type: 'agent_message', message: 'answer text' } }) + '\n');
    const { db, log } = await open(home);
    expect(db?.search).not.toBeNull();
    expect(log.warnings).toEqual([]);
    const texts = (raw(home).prepare('SELECT text FROM codex_ts_search_docs ORDER BY id').all() as { text: string }[]).map((r) => r.text).join('\n');
    expect(texts).toContain('answer text');
    expect(texts).toContain('question text');

    const plain = makeTempHome();
    writeRollout(plain, { id: threadIdFor(1), createdAtMs: BASE_MS });
    const off = await open(plain, { searchIndex: false });
    expect(off.db?.search).toBeNull();
    expect(off.db?.getThread(threadIdFor(1))).not.toBeNull();
    expect(raw(plain).prepare("SELECT name FROM sqlite_master WHERE name LIKE 'codex_ts_search%'").all()).toEqual([]);
  });

  test('a search index SQLite cannot hold is left out with a warning; the database still opens', async () => {
    const home = await createdHome();
    const conn = raw(home);
    const objects = conn.prepare("SELECT type, name FROM sqlite_master WHERE name LIKE 'codex_ts_search%' AND type IN ('table', 'view')").all() as { name: string }[];
    for (const { name } of objects.filter((o) => o.name === 'codex_ts_search_fts')) conn.exec(`DROP TABLE ${name}`);
    for (const { name } of objects.filter((o) => o.name !== 'codex_ts_search_fts')) conn.exec(`DROP TABLE IF EXISTS ${name}`);
    conn.exec('CREATE VIEW codex_ts_search_meta AS SELECT 1 AS key, 2 AS value');
    const { db, log } = await open(home);
    expect(db).not.toBeNull();
    expect(db?.search).toBeNull();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/^thread search index unavailable: .+; thread\/search scans the rollouts$/);
  });

  test('a database whose migration record differs opens with an info line saying how', async () => {
    const home = await createdHome();
    raw(home).prepare('DELETE FROM _sqlx_migrations WHERE version = 5').run();
    const { db, log } = await open(home);
    expect(db?.startup).toEqual({ schema: 'existing', backfill: null, waitedMs: expect.any(Number) });
    expect(log.infos).toEqual([
      `state db at ${path.join(home, STATE_DB_FILE)}: migrations absent: [5], checksum differs: [], unknown: []`,
    ]);
    expect(log.warnings).toEqual([]);
  });

  test('an unusable schema: one warning naming the file and reason, null, and the connection closed', async () => {
    const home = makeTempHome();
    const conn = new Database(path.join(home, STATE_DB_FILE));
    conn.exec('CREATE TABLE unrelated (x)');
    conn.close();
    const { db, log } = await open(home);
    expect(db).toBeNull();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(
      new RegExp(`^state db at ${path.join(home, STATE_DB_FILE).replace(/[.]/g, '\\.')} cannot be used: schema lacks threads\\.id, .* \\(no _sqlx_migrations table\\); continuing without it$`),
    );
    expect(openDescriptors(home)).toBe(0);
  });

  test('not a database: the failure text carries the SQLite code, and nothing stays open', async () => {
    const home = makeTempHome();
    writeFileSync(path.join(home, STATE_DB_FILE), 'this is not a database at all, just some text that is long enough'.repeat(20));
    const { db, log } = await open(home);
    expect(db).toBeNull();
    expect(log.warnings).toEqual([`failed to initialize state runtime at ${home}: file is not a database (SQLITE_NOTADB)`]);
    expect(openDescriptors(home)).toBe(0);
  });

  test('a backfill that fails on the database: warning, null, connection closed', async () => {
    const home = await createdHome();
    // Set up on a connection closed before the open (SQLite keeps a closed connection's descriptor while
    // another connection of the process still holds the file, which would blur the leak check).
    const conn = new Database(path.join(home, STATE_DB_FILE));
    conn.exec("UPDATE backfill_state SET status = 'pending'; CREATE TRIGGER no_checkpoint BEFORE UPDATE OF last_watermark ON backfill_state BEGIN SELECT RAISE(ABORT, 'checkpoint refused'); END");
    conn.close();
    writeRollout(home, { id: threadIdFor(2), createdAtMs: BASE_MS });
    const { db, log } = await open(home);
    expect(db).toBeNull();
    expect(log.warnings).toEqual([`failed to initialize state runtime at ${home}: checkpoint refused (SQLITE_CONSTRAINT_TRIGGER)`]);
    expect(openDescriptors(home)).toBe(0);
    // The failed worker gave its claim back.
    expect(raw(home).prepare('SELECT status FROM backfill_state').get()).toEqual({ status: 'pending' });
  });

  test('a lease held by another process: the configured lease length decides whether it is taken over', async () => {
    const home = await createdHome();
    const now = Math.floor(Date.now() / 1000);
    const conn = new Database(path.join(home, STATE_DB_FILE));
    conn.prepare("UPDATE backfill_state SET status = 'running', updated_at = ?").run(now - 120);
    conn.close();
    const held = await open(home, { backfillWaitMs: 0 });
    expect(held.db).toBeNull();
    expect(held.log.warnings).toEqual([`timed out waiting for state db backfill at ${home} after 0ms (status: running)`]);
    expect(openDescriptors(home)).toBe(0);

    const taken = await open(home, { backfillWaitMs: 0, leaseSeconds: 60 });
    expect(taken.db?.startup).toEqual({ schema: 'existing', backfill: { scanned: 0, upserted: 0, failed: 0 }, waitedMs: 0 });
    expect(taken.db?.history).not.toBeNull();
  });
});
